"""The Organization of a page or an API call, resolved once from the URL and checked by `access`.

Every page under /o/<org_id>/ is wrapped in `organization_page`, every API operation on
/organizations/{org_id}/… calls `api_member`: both answer 404 to anyone who is not a member, and
403 to a member whose role lacks the page's permission.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from handover.accounts.models import User
from handover.errors import NotFound
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.models import Membership, Organization
from handover.organizations.services import remember_organization_used

SESSION_KEY = "organization_id"


class SignedInRequest(HttpRequest):
    """A request on a page that requires signing in (`login_required`)."""

    user: User  # type: ignore[assignment]


class MemberRequest(SignedInRequest):
    """A request on a page of an Organization, past `organization_page`."""

    membership: Membership
    organization: Organization


class AuthedRequest(HttpRequest):
    """An API request past authentication: ninja sets `auth` to the signed-in user; `api_member`
    sets `organization` (the access log names it)."""

    auth: User
    organization: Organization


def organization_page(
    permission: Permission | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve `org_id` to `request.organization` and `request.membership` (404 to non-members;
    with `permission`, 403 to members without it, before anything else runs) and remember it as the
    user's current Organization: in the session, and on the membership when it is a switch (for
    the next sign-in, on any device)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: MemberRequest, org_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                membership = access.require_member(user=request.user, organization=org_id)
            except NotFound as exc:
                raise Http404(exc.detail) from exc
            request.membership = membership
            request.organization = membership.organization
            if request.session.get(SESSION_KEY) != str(membership.organization_id):
                request.session[SESSION_KEY] = str(membership.organization_id)
                remember_organization_used(membership=membership)
            if permission is not None:
                access.check(membership, permission)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def api_member(request: AuthedRequest, org_id: Any, permission: Permission | None = None) -> Membership:
    """The caller's membership of the Organization `org_id` names, with it joined: NotFound for
    non-members, PermissionDenied without `permission`."""
    membership = access.require_member(user=request.auth, organization=org_id)
    request.organization = membership.organization
    if permission is not None:
        access.check(membership, permission)
    return membership
