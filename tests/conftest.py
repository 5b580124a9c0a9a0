import pytest
from django.core.management import call_command

from tests import factories
from tests.durability.processes import Serve, free_port


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing passwords the production way costs ~0.3 s each; tests create hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def terms(db):
    """The general conditions in force (transfers refuse to start without a version)."""
    return factories.make_terms()


@pytest.fixture
def owner(db):
    return factories.make_user("owner@example.com", name="Olivia Owner")


@pytest.fixture
def org(owner):
    """An Organization whose legal representative is `owner`."""
    return factories.make_org("Source SA", owner=owner)


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


@pytest.fixture
def serve(tmp_path):
    """Start `handover serve ARGS` on a free port, on the embedded database of `data_dir` (this test's
    own by default), with `env` added; every server started is stopped at the end of the test."""
    started = []

    def start(*args: str, data_dir=None, **env: str) -> tuple[Serve, int]:
        port = free_port()
        server = Serve(data_dir or tmp_path, port, *args, **env)
        started.append(server)
        return server, port

    yield start
    for server in started:
        server.stop()
