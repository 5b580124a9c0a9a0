from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from handover.audit.context import client_ip


class AuditContextMiddleware:
    """Makes the client's address known to `record_event` for the length of one request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
