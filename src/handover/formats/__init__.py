"""Date formats where Django's own read wrongly in the Manager (settings.FORMAT_MODULE_PATH); Django's
formats apply to everything not set here."""
