"""Running `handover` as a separate process, as an operator or a server would, on a database of its own."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the checkout: `tests` is importable from there


def embedded_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run`: SQLite and the local mailbox under `data_dir`, plus `extra`."""
    env = {**os.environ, "HANDOVER_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set in this process for the browser tests only
    return {**env, **extra}


def start_handover(env: dict[str, str], *args: str, **options: Any) -> subprocess.Popen:
    """`handover ARGS` started in the background (text mode)."""
    return subprocess.Popen(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "handover", *args], env=env, cwd=ROOT, text=True, **options
    )


def run_handover(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`handover ARGS` run to its end, its output captured; fails the caller if it fails and `check`."""
    return subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "handover", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
    )


def last_line(result: subprocess.CompletedProcess) -> str:
    return result.stdout.strip().splitlines()[-1]
