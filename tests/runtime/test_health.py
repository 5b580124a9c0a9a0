"""/healthz and /readyz: what a load balancer asks each server, by its address, over plain HTTP."""

import json

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tests.support.servers import free_port, request, wait_until_answering


def test_healthz_answers_without_the_database_whatever_the_host_and_over_plain_http(client, settings):
    """No database access is allowed in this test: the answer does not need one."""
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def real_migrations(settings, transactional_db):
    """The migrations on disk, all recorded as applied (the test database is built without them;
    its schema is created out of a transaction, which SQLite needs, and emptied after the test)."""
    settings.MIGRATION_MODULES = {}
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    for app_label, name in MigrationLoader(connection, ignore_no_migrations=True).graph.nodes:
        recorder.record_applied(app_label, name)
    yield recorder
    recorder.flush()


def test_readyz_is_ok_when_database_migrations_and_queue_are(client, settings, real_migrations):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "task_queue": "ok"},
    }


def test_readyz_names_a_migration_not_applied(client, real_migrations):
    # The newest migration of an app, as after a release that adds one (an older one recorded as
    # unapplied beneath an applied one is not a state `migrate` leaves).
    [latest] = MigrationLoader(connection).graph.leaf_nodes("transfers")
    real_migrations.record_unapplied(*latest)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "failing": ["migrations"],
        "checks": {"database": "ok", "migrations": "failing", "task_queue": "ok"},
    }


@pytest.mark.django_db
def test_readyz_names_an_unreachable_task_queue(client):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE django_tasks_database_dbtaskresult")  # rolled back after the test
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["task_queue"]


@pytest.mark.slow
def test_a_server_whose_database_is_down_is_alive_but_not_ready(serve):
    """A real server on a PostgreSQL address where nothing listens: /healthz 200, /readyz 503 naming
    the database, and nothing of the connection (address, user, password) in the answer."""
    dead = f"postgres://handover:s3cret-pw@127.0.0.1:{free_port()}/handover"
    server, port = serve("--no-worker", "--no-migrate", "--workers", "1", DATABASE_URL=dead)
    server.wait_for("Started worker-1")
    wait_until_answering(port)

    status, _headers, body = request(port, "GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})

    status, headers, body = request(port, "GET", "/readyz")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "status": "unavailable",
        "failing": ["database", "migrations", "task_queue"],
        "checks": {"database": "failing", "migrations": "not_checked", "task_queue": "not_checked"},
    }
    for secret in (b"s3cret-pw", b"handover@", b"Traceback"):
        assert secret not in body
    assert "s3cret-pw" not in "".join(server.output)
