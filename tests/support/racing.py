"""Racing helpers: real threads, each on its own database connection, released together by a barrier;
and the figures of the races, faults and random runs, printed once at the end of the session."""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections

# How many times each race is run: a few locally, more in CI (.ci/run sets 20).
TRIALS = int(os.environ.get("HANDOVER_RACE_TRIALS", "5"))
# How many requests race for one link.
CONTENDERS = int(os.environ.get("HANDOVER_RACE_CONTENDERS", "8"))
JOIN_TIMEOUT = 120


@dataclass
class Outcome:
    """What one racing call returned or raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def race(*calls: Callable[[], Any]) -> list[Outcome]:
    """Run each call in its own thread with its own connection, all released at once by a barrier;
    returns their outcomes in order. Each thread connects before the barrier, so that the calls
    themselves, not the connection set-ups, race; and closes its connection at the end."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=JOIN_TIMEOUT)
            outcomes[index].value = call()
        except BaseException as exc:
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racing call never returned (deadlock?)"
    return outcomes


# Figures of every race, fault and random run of this session, printed at the end of the run.
FIGURES: list[str] = []


def describe(outcomes: list[Outcome]) -> str:
    return ", ".join("ok" if o.ok else f"{type(o.error).__name__}: {o.error}" for o in outcomes)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("race, fault and random-run figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
