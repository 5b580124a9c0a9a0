"""The one REST API, /api/v1/: each app's router mounted on it, one error shape for every failure."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from handover.accounts.models import User
from handover.accounts.services import authenticate_api_token
from handover.errors import DomainError


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal API token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_api_token(secret=token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session; CSRF is checked on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if user.is_authenticated else None  # type: ignore[return-value]


api = NinjaAPI(
    title="Handover API",
    version="1",
    description="Organizations, products and transfers of products between Organizations.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "detail": exc.detail, "fields": exc.fields}, status=exc.status
    )
