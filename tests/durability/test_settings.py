"""The durability settings DESIGN.md promises, read back from the databases themselves."""

import json
from pathlib import Path

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

import handover
from handover.transfers.tasks import send_transfer_ended_email
from tests.support.processes import embedded_env, last_line, run_handover

SQLITE_PRAGMAS = """
import json
from django.db import connection, transaction
statements = []
def record(execute, sql, params, many, context):
    statements.append(sql)
    return execute(sql, params, many, context)
with connection.execute_wrapper(record), transaction.atomic():
    with connection.cursor() as cursor:
        pragmas = {
            name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
print(json.dumps({**pragmas, "begin": statements[0]}))
"""


@pytest.mark.slow
def test_the_embedded_sqlite_database_runs_in_wal_with_full_sync_and_immediate_transactions(tmp_path):
    """WAL with synchronous=FULL: a committed transaction survives a power cut; BEGIN IMMEDIATE takes
    the write lock first, so writers wait (busy timeout) instead of failing half-way."""
    shown = run_handover(embedded_env(tmp_path), "shell", "--no-imports", "-c", SQLITE_PRAGMAS)
    assert json.loads(last_line(shown)) == {
        "journal_mode": "wal",
        "synchronous": 2,  # FULL
        "foreign_keys": 1,
        "busy_timeout": 20000,
        "begin": "BEGIN IMMEDIATE",
    }
    assert (tmp_path / "handover.sqlite3").exists()


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgresql_keeps_fsync_and_synchronous_commit_on():
    with connection.cursor() as cursor:
        settings = {}
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    assert settings == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_transaction_that_rolls_back_is_gone_with_it():
    """The outbox: the queue is a table, so an email exists exactly when its cause committed."""
    seen_inside = []

    def enqueue_then_fail():
        with transaction.atomic():
            send_transfer_ended_email.enqueue(transfer_id="00000000-0000-0000-0000-000000000000")
            seen_inside.append(DBTaskResult.objects.count())
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    assert seen_inside == [1]
    assert DBTaskResult.objects.count() == 0
    with transaction.atomic():
        send_transfer_ended_email.enqueue(transfer_id="00000000-0000-0000-0000-000000000000")
    assert DBTaskResult.objects.count() == 1


def test_no_service_defers_a_side_effect_to_on_commit():
    """A callback run after the commit is lost by a crash in between; services enqueue tasks instead."""
    sources = Path(handover.__file__).parent
    offenders = [
        str(path.relative_to(sources)) for path in sources.rglob("*.py") if "on_commit(" in path.read_text()
    ]
    assert offenders == []
