"""The task queue (django-tasks-db's table): repair after a killed worker, and its figures."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


def requeue_stuck_tasks(*, timeout: float) -> int:
    """Put back in the queue the tasks marked running for more than `timeout` seconds; returns how many.

    django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again, so a
    worker killed in the middle (SIGKILL, out of memory, a lost machine) would leave its task, an
    email say, undone for ever. Delivery becomes at least once: a task cut short may run twice.
    """
    cutoff = timezone.now() - timedelta(seconds=timeout)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.READY, started_at=None
    )


@dataclass(frozen=True)
class QueueFigures:
    waiting: int  # ready to run now
    running: int
    oldest_wait_seconds: float  # of the longest-waiting ready task; 0 when none waits


def queue_figures() -> QueueFigures:
    """How many tasks wait and run, and how long the oldest waiting one has waited (one query)."""
    now = timezone.now()
    # As DBTaskResult.objects.ready(): run_after is the largest date for a task to run at once.
    due = Q(status=TaskResultStatus.READY) & (Q(run_after=get_date_max()) | Q(run_after__lte=now))
    row = DBTaskResult.objects.aggregate(
        waiting=Count("id", filter=due),
        running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
        oldest=Min("enqueued_at", filter=due),
    )
    oldest = row["oldest"]
    return QueueFigures(
        waiting=row["waiting"],
        running=row["running"],
        oldest_wait_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    )


def task_result_counts() -> dict[tuple[str, str], int]:
    """Retained task results by (task path, status): ("…tasks.send_transfer_link_email", "SUCCESSFUL")."""
    rows = DBTaskResult.objects.values_list("task_path", "status").annotate(count=Count("id"))
    return {(path, status): count for path, status, count in rows}
