"""The webhooks page under an Organization's settings: list, register, rotate a secret, delete, and
each endpoint's deliveries. It calls the same services as the API.

A new secret is shown in the answer to the POST that made it (201, `Cache-Control: no-store`), never
stored in the session nor carried through a redirect.
"""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from handover.errors import DomainError
from handover.organizations.access import Permission
from handover.organizations.http import MemberRequest, organization_page
from handover.pages import act, refused
from handover.webhooks import selectors, services
from handover.webhooks.forms import WebhookForm
from handover.webhooks.models import WebhookEndpoint
from handover.webhooks.services import SECRET_GRACE

PAGE_SIZE = 50


def _page(
    request: MemberRequest,
    *,
    form: WebhookForm | None = None,
    revealed: WebhookEndpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "settings",
        "webhooks": selectors.webhooks_for_organization(organization=request.organization),
        "form": form or WebhookForm(),
        "revealed": revealed,
        "grace_hours": int(SECRET_GRACE.total_seconds() // 3600),
    }
    response = render(request, "webhooks/list.html", context, status=status)
    if revealed is not None:
        response["Cache-Control"] = "no-store"
    return response


@organization_page(Permission.MANAGE_WEBHOOKS)
def webhooks(request: MemberRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        endpoint = services.register_webhook(
            actor=request.user,
            organization=request.organization,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
        )
    except DomainError as exc:
        return refused(request, exc, lambda status: _page(request, form=form, status=status), form)
    return _page(request, revealed=endpoint, status=201)


@organization_page(Permission.MANAGE_WEBHOOKS)
@require_POST
def rotate(request: MemberRequest, webhook_id: Any) -> HttpResponse:
    endpoint = selectors.webhook_get(organization=request.organization, webhook_id=webhook_id)
    try:
        endpoint = services.rotate_webhook_secret(actor=request.user, endpoint=endpoint)
    except DomainError as exc:
        return refused(request, exc, lambda status: _page(request, status=status))
    return _page(request, revealed=endpoint)


@organization_page(Permission.MANAGE_WEBHOOKS)
@require_POST
def delete(request: MemberRequest, webhook_id: Any) -> HttpResponse:
    endpoint = selectors.webhook_get(organization=request.organization, webhook_id=webhook_id)
    return act(
        request,
        lambda: services.delete_webhook(actor=request.user, endpoint=endpoint),
        page=lambda status: _page(request, status=status),
        success=_("The webhook endpoint %(url)s was deleted.") % {"url": endpoint.url},
        then=("webhooks:list", request.organization.id),
    )


@organization_page(Permission.MANAGE_WEBHOOKS)
def deliveries(request: MemberRequest, webhook_id: Any) -> HttpResponse:
    endpoint = selectors.webhook_get(organization=request.organization, webhook_id=webhook_id)
    queryset = selectors.deliveries_for_webhook(endpoint=endpoint)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "settings", "endpoint": endpoint, "page": page}
    return render(request, "webhooks/deliveries.html", context)
