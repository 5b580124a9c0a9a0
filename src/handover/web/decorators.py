"""What every page of an Organization needs: the Organization from the URL, checked against the user."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from handover.errors import NotFound
from handover.organizations.selectors import organization_get_for_member

SESSION_KEY = "organization_id"


def organization_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve `org_id` to `request.organization` and `request.membership`, answering 404 to anyone
    who is not a member; remember it as the user's current Organization."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, org_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            membership = organization_get_for_member(user=request.user, organization_id=org_id)  # type: ignore[arg-type]
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization  # type: ignore[attr-defined]
        if request.session.get(SESSION_KEY) != str(membership.organization_id):
            request.session[SESSION_KEY] = str(membership.organization_id)
        return view(request, *args, **kwargs)

    return wrapper
