"""How Handover runs: the HTTP server and its task worker, the worker loop, queue repair, the sweep
schedule, logs, request metrics and readiness.

Infrastructure, below every app: it imports Django, django-tasks, granian, prometheus-client and the
standard library, never a Handover app; what it must know of the apps (the sweep task) is a setting.
"""
