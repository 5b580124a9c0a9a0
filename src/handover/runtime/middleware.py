"""One access-log line and the request metrics for every request, and its request id."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from handover.runtime.logs import log_context
from handover.runtime.metrics import observe_request

logger = logging.getLogger("handover.access")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's request id is kept if it is a plain token; anything else is replaced, never logged.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,200}")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}  # others count as "other"
UNMATCHED = "unmatched"  # the route of a request no URL pattern matched (its path may hold anything)


def request_id(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def route_name(request: HttpRequest) -> str:
    """The matched URL pattern's name ("transfers:receive_link"), never the path: paths hold secrets."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match.route or UNMATCHED) if match else UNMATCHED


class RequestObservationMiddleware:
    """Outermost: gives the request its id (echoed in `X-Request-ID`), makes every record logged while
    it is served carry that id, then logs one access line (method, path without secrets, status,
    duration, user and Organization ids, route) and counts it in the request metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        with log_context(request_id=request_id(request)) as context:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = context["request_id"]
            route = route_name(request)
            method = request.method if request.method in METHODS else "other"
            observe_request(route=route, method=method, status=response.status_code, seconds=seconds)
            user = getattr(request, "user", None)
            organization = getattr(request, "organization", None)
            logger.info(
                "%s %s %s %.1f ms",
                method,
                request.path,
                response.status_code,
                seconds * 1000,
                extra={
                    "route": route,
                    "method": method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": str(user.pk) if user is not None and user.is_authenticated else None,
                    "organization_id": str(organization.pk) if organization is not None else None,
                },
            )
        return response
