"""No child outlives its server: Linux tells a child when its parent dies."""

import ctypes
import os
import signal
import sys

# Set by `handover serve` to its own pid in its task worker's environment.
PARENT_ENV = "HANDOVER_WORKER_PARENT"


def terminate_with_parent(parent: int, sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send this process `sig` when its parent dies, even of SIGKILL, so that no child
    outlives its server; exit at once if `parent` is already gone. Elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(sig))
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        raise SystemExit(0)


def stop_with_parent() -> None:
    """Under `handover serve` (which names itself in the environment), stop when it dies."""
    if parent := os.environ.get(PARENT_ENV):
        terminate_with_parent(int(parent))
