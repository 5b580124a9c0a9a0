"""Handover: the customer Manager of a hosting provider."""
