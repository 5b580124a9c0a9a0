"""The one REST API, /api/v1/: each app's router mounted on it, one error shape for every failure.

Every answer that is not a success is `{"code", "detail", "fields"}` (handover.schemas.Error): the
domain's refusals, and the framework's own failures too (validation, authentication, CSRF, unknown
paths, unsupported methods, oversized or malformed bodies, throttling). Each operation's OpenAPI entry
declares the error statuses it can answer.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.core.exceptions import ReauthenticationRequired
from django.core.exceptions import RequestDataTooBig
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path, reverse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from handover.accounts.api import router as accounts_router
from handover.accounts.models import User
from handover.accounts.services import authenticate_api_token
from handover.audit.api import router as audit_router
from handover.billing.api import router as billing_router
from handover.errors import DomainError, InvalidFields
from handover.organizations.api import router as organizations_router
from handover.products.api import router as products_router
from handover.schemas import Error
from handover.transfers.api import router as transfers_router
from handover.webhooks.api import router as webhooks_router

logger = logging.getLogger("handover.api")

INVALID_JSON = _("The request body is not valid JSON.")
NOT_AUTHENTICATED = _("Sign in, or send a personal API token as `Authorization: Bearer <token>`.")
CSRF_FAILED = _("CSRF check failed: send the `X-CSRFToken` header with the session's CSRF token.")
NOT_FOUND = _("Not found.")
METHOD_NOT_ALLOWED = _("This method is not allowed here.")
TOO_LARGE = _("The request body is too large.")
TOO_MANY = _("Too many attempts. Wait a moment and try again.")
REAUTHENTICATE = _(
    "Confirm your password (or second factor) on the web first: with a session, this needs a recent "
    "sign-in. Calls with a personal API token do not (creating the token did)."
)
SERVER_ERROR = _("Something went wrong on our side; nothing was changed. Try again later.")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal API token>`."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_api_token(secret=token)
        if user is not None:
            request.user = user
            # Marks the call as made with a token: no CSRF check, no re-authentication.
            request.api_token = True  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session; the CSRF token is required on unsafe methods.

    Unlike ninja's APIKeyCookie, the CSRF check runs only once a session user is found, so that a
    request without any credentials answers 401, not a CSRF 403.
    """

    param_name = "sessionid"

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return user  # type: ignore[return-value]

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:  # pragma: no cover
        return None  # __call__ above does the work; this abstract method is never reached


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, str(CSRF_FAILED))


# What each error status means, in every operation's OpenAPI entry. The first five are declared on
# every operation they can apply to, whether or not the operation declared them itself.
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: malformed JSON, a wrong type, an unknown field, a value out of range.",
    "401": "Not signed in: no valid API token and no session (`not_authenticated`), or, with a "
    "session, a recent sign-in is needed (`reauthentication_required`).",
    "403": "Not allowed: the role does not allow this, or the session's CSRF check failed.",
    "404": "Unknown, or belongs to an Organization you are not a member of.",
    "413": "The request body is too large.",
    "409": "The state does not allow it (e.g. `transfer_not_pending`, `product_in_pending_transfer`).",
    "410": "The transfer link has expired (`transfer_expired`).",
    "422": "A rule refused it (e.g. `product_not_transferable`, `terms_not_accepted`).",
    "429": "Too many link guesses (`too_many_attempts`), or too many invitations, links sent or "
    "addresses added by you or your Organization within the hour (`too_many_requests`); see Retry-After.",
}


class HandoverAPI(NinjaAPI):
    """NinjaAPI with the error shape extended to what ninja answers outside exception handlers."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":  # ninja's raises Http404 into Django's HTML page
                    pattern.callback = self._root
                pattern.callback = _json_method_not_allowed(pattern.callback)
        # Anything else under /api/v1/ (including ids that are not UUIDs in a path) is a JSON 404.
        urls.append(re_path(r"^.*$", self._unknown_path, name="unknown"))
        return urls

    def _root(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Where the API describes itself."""
        return self.create_response(
            request,
            {
                "title": self.title,
                "version": self.version,
                "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
                "docs": request.build_absolute_uri(reverse("api:openapi-view")),
            },
            status=200,
        )

    _root.csrf_exempt = True  # type: ignore[attr-defined]

    def _unknown_path(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(request, 404, "not_found", NOT_FOUND)

    _unknown_path.csrf_exempt = True  # type: ignore[attr-defined]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _declare_common_errors(schema)
        return schema


def _json_method_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    """ninja answers an unsupported method with a plain-text 405; answer it in the error shape. HEAD
    is answered as GET is, without the body (HTTP's rule; ninja knows only the declared methods)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method == "HEAD":
            request.method = "GET"
            try:
                response = wrapper(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
            if not response.streaming:
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
            return response
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(request, 405, "method_not_allowed", METHOD_NOT_ALLOWED)
            response["Allow"] = allowed
        return response

    return wrapper


def _declare_common_errors(schema: OpenAPISchema) -> None:
    error_ref = "#/components/schemas/Error"
    error_content = {"application/json": {"schema": {"$ref": error_ref}}}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = {str(status): r for status, r in operation.get("responses", {}).items()}
            applicable = []
            if operation.get("parameters") or operation.get("requestBody"):
                applicable.append("400")
            if operation.get("security"):
                applicable.append("401")
                if method.upper() not in SAFE_METHODS:
                    applicable.append("403")
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                applicable.append("404")
            if operation.get("requestBody"):
                applicable.append("413")
            for status in applicable:
                responses.setdefault(status, {"content": error_content})
            for status, response in responses.items():
                if (
                    response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
                    != error_ref
                ):
                    continue
                response["description"] = ERROR_DESCRIPTIONS.get(status, response.get("description", ""))
                if status == "401":
                    response["headers"] = {
                        "WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}
                    }
                elif status == "429":
                    response["headers"] = {
                        "Retry-After": {
                            "description": "Seconds to wait before trying again.",
                            "schema": {"type": "integer"},
                        }
                    }
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Error" not in components:
        components["Error"] = Error.model_json_schema(ref_template="#/components/schemas/{model}")


api = HandoverAPI(
    title="Handover API",
    version="1",
    description=(
        "Organizations, products and transfers of products between Organizations.\n\n"
        "Authenticate with a personal API token (`Authorization: Bearer <token>`) or, from the "
        "browser, with the session and its CSRF token (`X-CSRFToken`) on unsafe methods. Every error "
        "answers `{code, detail, fields}` with a stable `code`; lists answer `{items, count}` and take "
        "`limit` and `offset`. Transfer link secrets travel in request bodies only."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)


def error_response(
    request: HttpRequest, status: int, code: str, detail: Any, fields: dict[str, Any] | None = None
) -> HttpResponse:
    """The one error shape, `{code, detail, fields}`, with its status."""
    return api.create_response(
        request, {"code": code, "detail": str(detail), "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = error_response(request, exc.status, exc.code, exc.detail, exc.fields)
    if exc.status == 429:
        response["Retry-After"] = str(int(getattr(exc, "retry_after", 60)))
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if any(error.get("loc", ("",))[0] == "path" for error in exc.errors):
        # An id in the path that is not one names nothing: 404, as for an unknown id.
        return error_response(request, 404, "not_found", NOT_FOUND)
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
    return error_response(
        request,
        400,
        InvalidFields.code,
        InvalidFields.message,
        {name: " ".join(msgs) for name, msgs in fields.items()},
    )


def _field_name(loc: Any) -> str:
    """`("body", "payload", "product_ids", 0)` → `product_ids.0`; `("query", "state")` → `state`."""
    source, *parts = [str(p) for p in loc] or ["body"]
    if source == "body":
        # ninja nests the body under the handler's parameter name; clients never see that name.
        parts = parts[1:]
    return ".".join(parts) or source


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, "not_authenticated", NOT_AUTHENTICATED)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja sets Retry-After itself when it knows the wait; this is the fallback.
    response = error_response(request, 429, "too_many_attempts", TOO_MANY)
    response["Retry-After"] = str(int(exc.wait or 60))
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, CsrfFailed):
        return error_response(request, 403, "csrf_failed", CSRF_FAILED)
    if exc.status_code == 400:  # the only 400 ninja raises: a body it cannot parse
        return error_response(request, 400, "invalid_json", INVALID_JSON)
    return error_response(request, exc.status_code, "error", exc.message)


@api.exception_handler(ReauthenticationRequired)
def reauthentication_required(request: HttpRequest, exc: ReauthenticationRequired) -> HttpResponse:
    return error_response(request, 401, "reauthentication_required", REAUTHENTICATE)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", NOT_FOUND)


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "too_large", TOO_LARGE)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not bad input: logged with its traceback and signalled as Django does for an unhandled
    # exception (the test client re-raises it), answered in the one error shape.
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    got_request_exception.send(sender=None, request=request)
    return error_response(request, 500, "server_error", SERVER_ERROR)


api.add_router("", accounts_router, tags=["accounts"])
api.add_router("", organizations_router, tags=["organizations"])
api.add_router("", products_router, tags=["products"])
api.add_router("", billing_router, tags=["invoices"])
api.add_router("", audit_router, tags=["audit"])
api.add_router("", transfers_router, tags=["transfers"])
api.add_router("", webhooks_router, tags=["webhooks"])
