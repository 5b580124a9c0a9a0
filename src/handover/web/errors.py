"""The product's own error pages (400, 403, 404, 500 and the CSRF refusal), in the user's language and
in the site's layout, instead of Django's bare English ones.

The 500 page is rendered without the request: whatever failed (the database, a context processor)
must not fail it again, so it shows the signed-out layout and queries nothing.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEMPLATE = "web/error.html"
SERVER_ERROR = gettext_lazy("Something went wrong on our side; nothing was changed. Try again later.")


def _page(request: HttpRequest, status: int, title: str, detail: Any) -> HttpResponse:
    return render(request, TEMPLATE, {"title": title, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, 400, _("Refused"), _("The request is not valid."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, 403, _("Not allowed"), _("You may not open this page."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request, 403, _("Not allowed"), _("This form has expired: go back, reload the page and try again.")
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, 404, _("Not found"), _("This page does not exist, or you may not see it."))


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(render_to_string(TEMPLATE, {"title": _("Error"), "detail": SERVER_ERROR}))
