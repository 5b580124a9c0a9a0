"""The task worker's sweep scheduling: one sweep waiting at a time, old heartbeats pruned."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from handover.web.management.commands.worker import SWEEP_TASK, SweepScheduler, enqueue_sweep


def sweeps():
    return DBTaskResult.objects.filter(task_path=SWEEP_TASK)


@pytest.mark.django_db
def test_enqueue_sweep_queues_the_transfer_sweep():
    assert enqueue_sweep() is True
    assert sweeps().get().status == TaskResultStatus.READY


@pytest.mark.django_db
def test_a_sweep_already_waiting_is_not_queued_again():
    enqueue_sweep()
    assert enqueue_sweep() is False
    assert sweeps().count() == 1


@pytest.mark.django_db
def test_the_next_sweep_is_queued_once_the_waiting_one_ran(run_tasks):
    enqueue_sweep()
    run_tasks()
    assert sweeps().get().status == TaskResultStatus.SUCCESSFUL
    assert enqueue_sweep() is True
    assert sweeps().filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.django_db
def test_sweeps_finished_over_a_day_ago_are_deleted(run_tasks, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    enqueue_sweep()
    run_tasks()
    time_machine.shift(datetime.timedelta(hours=23))
    enqueue_sweep()
    run_tasks()
    assert sweeps().count() == 2
    time_machine.shift(datetime.timedelta(hours=2))
    enqueue_sweep()
    assert sweeps().count() == 2  # the first one went, the new one came
    assert sweeps().filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_queues_a_sweep_at_once_and_stops():
    scheduler = SweepScheduler(interval=3600)
    scheduler.start()
    scheduler.stop()
    assert not scheduler.is_alive()
    assert sweeps().filter(status=TaskResultStatus.READY).count() == 1


def test_a_failing_tick_is_logged_not_raised(monkeypatch, caplog):
    """A missing task or a database error must not kill the worker: the next tick tries again."""
    from handover.web.management.commands import worker

    monkeypatch.setattr(worker, "SWEEP_TASK", "handover.transfers.tasks.no_such_task")
    SweepScheduler(interval=60).tick()
    assert "does not exist" in caplog.text
