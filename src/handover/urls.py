from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from handover.accounts.views import email
from handover.api import api


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Never takes a password: sends to the product's sign-in, then back to `next`."""
    given = request.GET.get(REDIRECT_FIELD_NAME, "")
    safe = url_has_allowed_host_and_scheme(given, allowed_hosts={request.get_host()})
    after = given if safe else reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(after, settings.LOGIN_URL)
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied
    return redirect(after)


def _change_password(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    return redirect("account_change_password")


# The operator admin has no sign-in of its own: /admin/login/ sends to the product's (second factor,
# throttling, re-authentication) and back (`next`); a signed-in user who is not staff is refused (403).
# Its password change is the product's too, which tells the user and revokes what it must.
admin.site.login = _admin_login  # type: ignore[method-assign,assignment]
admin.site.password_change = _change_password  # type: ignore[method-assign,assignment]

urlpatterns = [
    path("", include("handover.web.urls")),
    path("", include("handover.accounts.urls")),
    path("", include("handover.organizations.urls")),
    path("", include("handover.products.urls")),
    path("", include("handover.billing.urls")),
    path("", include("handover.audit.urls")),
    path("", include("handover.transfers.urls")),
    path("", include("handover.terms.urls")),
    path("", include("handover.webhooks.urls")),
    # allauth's email addresses page, in front of its own: re-authentication before adding one.
    path("accounts/email/", email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# The product's own error pages, in the user's language and the site's layout.
handler400 = "handover.web.errors.bad_request"
handler403 = "handover.web.errors.permission_denied"
handler404 = "handover.web.errors.page_not_found"
handler500 = "handover.web.errors.server_error"
