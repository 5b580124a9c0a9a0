"""The command line: `cli` runs `handover <args>` in this process on the test database, `real_cli` runs
the installed executable in a new process."""

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import load_command_class
from django.db import connections


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(db, monkeypatch):
    """Run `handover <args>` as the command line does (exit code, stdout, stderr), in this process
    and on the test database."""
    # The command line closes every connection when a command ends; here that would end the
    # test's transaction, so the test database stays open instead.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        command = load_command_class("handover." + _app_of(args[0]), args[0])
        command.stdout._out = out
        command.stderr._out = err
        code = 0
        try:
            command.run_from_argv(["handover", *args])
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        return Run(code, out.getvalue(), err.getvalue())

    return run


def _app_of(command: str) -> str:
    return {"user": "accounts", "token": "accounts", "org": "organizations"}[command]


@pytest.fixture
def real_cli(tmp_path):
    """Run the installed `handover` executable in a new process, on an empty data directory."""

    def run(*args: str) -> Run:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["HANDOVER_DATA_DIR"] = str(tmp_path)
        executable = Path(sys.executable).with_name("handover")
        done = subprocess.run(  # noqa: S603 (our own executable, fixed arguments)
            [str(executable), *args], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run
