"""The demo data set: a small hosting customer base, loaded through the services (actor=None)."""

DEMO_PASSWORD = "handover-demo"  # noqa: S105 (printed for everyone to read: it is the demo's)


def load_demo() -> bool:
    return False


def demo_sign_ins() -> str:
    return f"Demo password: {DEMO_PASSWORD}"
