"""The one way a secret (API token, transfer link) is stored: its SHA-256, never the secret itself."""

import hashlib


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a secret is stored and looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()
