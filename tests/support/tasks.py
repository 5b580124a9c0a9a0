import pytest
from django.core.management import call_command


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run every queued background task now, with the real worker loop (emails, sweeps).

    The worker closes "old" connections between tasks; inside a test's transaction that would close
    the test's own connection, so that one step is left out here.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run() -> None:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    return run
