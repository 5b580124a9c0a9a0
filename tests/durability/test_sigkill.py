"""SPEC §5 "Durability": a process killed (SIGKILL) in the middle of a 1,000-product receive leaves the
whole move or none of it, on the embedded SQLite file database (WAL, synchronous=FULL) and on
PostgreSQL.

A child `handover shell` process receives the transfer and is killed: right after a randomly chosen
SQL statement of the move (it stops there until killed), right after the commit, and at a random
instant of a free run. After each kill a fresh process reads the database: the transfer is either
pending with nothing changed, or completed with every product in the destination; the invariants hold.
The number of kills follows HANDOVER_RACE_TRIALS (half as many, plus two); HANDOVER_CRASH_SEED replays a run.
"""

import contextlib
import json
import os
import random
import signal
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.processes import embedded_env, run_handover, start_handover
from tests.support.racing import FIGURES, TRIALS

pytestmark = pytest.mark.slow

PRODUCTS = 1000
TIMEOUT = 300


class Child:
    """A `handover shell -c` process whose stdout lines are read one by one."""

    def __init__(self, env: dict[str, str], code: str):
        self.process = start_handover(
            env,
            "shell",
            "--no-imports",
            "-c",
            code,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def line(self) -> str:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=TIMEOUT)
            pytest.fail(f"the child ended without a word:\n{self.process.stderr.read()}")
        return line.strip()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=TIMEOUT)
        self.process.stdout.close()
        self.process.stderr.close()
        self.process.stdin.close()

    def finish(self) -> str:
        """Wait for the end; returns the last line not yet read.

        Read through the same file object as `line()`: `communicate()` reads the pipe beneath it and
        would miss a line already buffered there (a fast child's DONE read along with RECEIVING)."""
        self.process.stdin.close()
        out = self.process.stdout.read()
        err = self.process.stderr.read()
        self.process.wait(timeout=TIMEOUT)
        assert self.process.returncode == 0, err
        return out.strip().splitlines()[-1] if out.strip() else ""


def _environment(backend: str, tmp_path: Path) -> dict[str, str]:
    env = embedded_env(tmp_path)
    if backend == "postgresql":
        # The test database itself (transactional_db empties it afterwards).
        db = settings.DATABASES["default"]
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        run_handover(env, "migrate", "--verbosity", "0")
    return env


def _step(env, world, stop_after) -> Child:
    code = (
        "from tests.support.crash import step; "
        f"step(world={world!r}, stop_after={stop_after!r}, products={PRODUCTS})"
    )
    return Child(env, code)


class Lives:
    """The children, one after the other, each killed while receiving; each tells how the database
    was left by the one before."""

    def __init__(self, env):
        self.env = env
        self.world: dict | None = None  # the transfer being received, and the database before it
        self.before: dict | None = None

    def start(self, stop_after: int | None) -> tuple[Child, tuple | None]:
        """A child that is now receiving, and (world, before, after) of the previous child's world."""
        world, before, after = self.world, self.before, None
        child = _step(self.env, world, stop_after)
        while (line := child.line()) != "RECEIVING":
            kind, data = line.split(" ", 1)
            if kind == "WORLD":
                self.world = json.loads(data)
            elif kind == "REPORT" and self.world is world:
                after = json.loads(data)
            else:
                self.before = json.loads(data)
        return child, (world, before, after) if after is not None else None

    def last(self) -> tuple:
        code = f"from tests.support.crash import report; report(transfer={self.world['transfer']!r})"
        return self.world, self.before, json.loads(Child(self.env, code).finish().split(" ", 1)[1])


def _outcome(world, before, after, where) -> str:
    """What a kill left: 'none' (nothing changed) or 'all' (the whole move)."""
    assert after["violations"] == [], where
    if after["state"] == "pending":
        assert after["snapshot"] == before["snapshot"], f"a partial move {where}"
        return "none"
    assert after["state"] == "completed", where
    assert after["holders"] == [world["destination"]], f"products outside the destination {where}"
    return "all"


def _run(backend: str, tmp_path: Path) -> None:
    seed = int(os.environ.get("HANDOVER_CRASH_SEED", random.randrange(10**6)))  # noqa: S311
    chance = random.Random(seed)  # noqa: S311 (choosing kill points, not secrets)
    lives = Lives(_environment(backend, tmp_path))

    # A first receive runs to the end: it counts the statements and times the move.
    child, _ = lives.start(None)
    _done, statements, seconds = child.finish().split()
    statements, seconds = int(statements), float(seconds)

    # Each kill costs a process start (seconds): half as many as the races' trials, plus two.
    kills = [
        ("statement", k) for k in chance.sample(range(1, statements + 1), min(TRIALS // 2 + 1, statements))
    ]
    kills += [("the commit", 0), ("a random instant", None)]
    chance.shuffle(kills)
    outcomes = {"none": 0, "all": 0}
    where = "none: the first run was complete"
    for what, at in kills:
        child, previous = lives.start(at)
        if previous is not None:
            outcomes[_outcome(*previous, f"(seed {seed}, killed after {where})")] += 1
        where = f"{what} {at}"
        if what == "a random instant":
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=chance.uniform(0, seconds))
        else:
            child.line()  # STOPPED k … or DONE …: it now waits to be killed
        child.kill()
    outcomes[_outcome(*lives.last(), f"(seed {seed}, killed after {where})")] += 1
    assert outcomes["all"] >= 2  # the first run, and the kill after the commit, kept the whole move
    FIGURES.append(
        f"SIGKILL during a {PRODUCTS}-product receive on {backend}: {len(kills)} kills "
        f"({len(kills) - 2} after random statements of {statements}, 1 after the commit, 1 at a random "
        f"instant of a {seconds:.2f} s move), outcomes {outcomes} (with the first full run), seed {seed}"
    )


def test_a_receive_killed_at_any_instant_on_sqlite_moves_all_or_nothing(tmp_path):
    _run("sqlite", tmp_path)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_receive_killed_at_any_instant_on_postgresql_moves_all_or_nothing(tmp_path):
    _run("postgresql", tmp_path)
