"""Tables of the runtime that are no app's model."""

from typing import Any

from django.core.management import call_command


def create_cache_tables(*, using: str, verbosity: int = 1, **kwargs: Any) -> None:
    """post_migrate receiver: create the database cache's table if it is missing (idempotent), so
    that `handover migrate`, and so `handover serve`, leave a database ready for every process."""
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
