"""Readiness: can this process serve? Each part is checked on its own; none reveals more than its name."""

import logging

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("handover.health")


def database_reachable() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def migrations_applied() -> bool:
    """Whether every migration on disk is recorded as applied (none waits for `handover migrate`)."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def task_queue_reachable() -> bool:
    DBTaskResult.objects.only("id").first()
    return True


CHECKS = {
    "database": database_reachable,
    "migrations": migrations_applied,
    "task_queue": task_queue_reachable,
}


OK, FAILING, NOT_CHECKED = "ok", "failing", "not_checked"


def readiness() -> dict[str, str]:
    """Each part's state by name: ok, failing (the error is logged, never shown), or not_checked
    (the database is unreachable: nothing else can be known)."""
    states: dict[str, str] = {}
    for name, check in CHECKS.items():
        if states.get("database") == FAILING:
            states[name] = NOT_CHECKED
            continue
        try:
            with transaction.atomic():
                states[name] = OK if check() else FAILING
        except Exception:
            logger.warning("Readiness check %r failed.", name, exc_info=True)
            states[name] = FAILING
    return states
