"""The task workers' sweep scheduling: one sweep per interval however many workers, one waiting at a
time, old heartbeats pruned."""

import datetime
import functools

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from handover.runtime.sweep import SweepScheduler, claim_interval, enqueue_sweep
from tests.support.racing import TRIALS, race


@pytest.fixture
def shared_cache(transactional_db):
    """The cache table, emptied after the test (a transactional test's flush leaves it)."""
    yield cache
    cache.clear()


def sweeps():
    return DBTaskResult.objects.filter(task_path=settings.HANDOVER_SWEEP_TASK)


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
def test_a_worker_ticking_after_another_in_the_same_interval_queues_no_second_sweep(
    shared_cache, run_tasks, time_machine
):
    """The first worker's sweep already ran: without the claim, the second would queue another."""
    time_machine.move_to(datetime.datetime(2030, 1, 1, 12, 0, 1, tzinfo=datetime.UTC), tick=False)
    first, second = SweepScheduler(interval=60), SweepScheduler(interval=60)
    first.tick()
    run_tasks()
    time_machine.shift(datetime.timedelta(seconds=30))
    second.tick()
    assert sweeps().count() == 1
    time_machine.shift(datetime.timedelta(seconds=30))  # 12:01:01, the next interval
    second.tick()
    first.tick()
    assert sweeps().count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_queues_a_sweep_at_once_and_stops(shared_cache):
    scheduler = SweepScheduler(interval=3600)
    scheduler.start()
    scheduler.stop()
    assert not scheduler.is_alive()
    assert sweeps().filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_tick_is_logged_not_raised(shared_cache, settings, caplog):
    """A missing task or a database error must not kill the worker: the next tick tries again."""
    settings.HANDOVER_SWEEP_TASK = "handover.transfers.tasks.no_such_task"
    SweepScheduler(interval=60).tick()
    assert "does not exist" in caplog.text


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_claiming_the_same_interval_at_once_get_it_once(shared_cache):
    """Real connections, released together: exactly one claim wins each interval."""
    for trial in range(TRIALS):
        claim = functools.partial(claim_interval, f"race-{trial}", 3600)
        outcomes = race(*[claim] * 8)
        assert [o.error for o in outcomes] == [None] * 8
        assert sum(o.value for o in outcomes) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_ticking_at_once_queue_one_sweep(shared_cache):
    schedulers = [SweepScheduler(interval=3600) for _ in range(6)]
    outcomes = race(*[scheduler.tick for scheduler in schedulers])
    assert [o.error for o in outcomes] == [None] * 6
    assert sweeps().count() == 1
