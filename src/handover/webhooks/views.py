"""The webhooks page under an Organization's settings: list, register, rotate a secret, delete, and
each endpoint's deliveries. It calls the same services as the API.

A new secret is shown in the answer to the POST that made it (`Cache-Control: no-store`), never
stored in the session nor carried through a redirect. Registering and rotating hand out a secret, so
they ask for the password again after a while (as every capability-creating action); rotating and
deleting are links whose GET asks first.
"""

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from handover.accounts.reauthentication import reauthenticated
from handover.errors import DomainError
from handover.organizations.access import Permission
from handover.organizations.http import MemberRequest, organization_page
from handover.pages import Question, act, ask_first, refused
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
    }
    response = render(request, "webhooks/list.html", context, status=status)
    if revealed is not None:
        response["Cache-Control"] = "no-store"
    return response


@organization_page(Permission.MANAGE_WEBHOOKS)
@reauthenticated
@require_http_methods(["GET", "HEAD", "POST"])
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


# Rotating and deleting take something away (the old secret's future, the endpoint): a GET asks first.
_confirmed_action = require_http_methods(["GET", "HEAD", "POST"])


def _back(request: MemberRequest) -> str:
    return reverse("webhooks:list", args=[request.organization.id])


@organization_page(Permission.MANAGE_WEBHOOKS)
@reauthenticated
@_confirmed_action
def rotate(request: MemberRequest, webhook_id: Any) -> HttpResponse:
    endpoint = selectors.webhook_get(organization=request.organization, webhook_id=webhook_id)
    if request.method != "POST":
        hours = int(SECRET_GRACE.total_seconds() // 3600)
        question = Question(
            title=_("Give %(url)s a new secret?") % {"url": endpoint.url},
            consequences=[
                _("The new secret is shown once, on the next page."),
                _("The current secret keeps signing beside it for %(hours)s hours, then stops.")
                % {"hours": hours},
            ],
            button=_("Rotate the secret"),
            back=_back(request),
            nav="settings",
        )
        return ask_first(request, question)
    try:
        endpoint = services.rotate_webhook_secret(actor=request.user, endpoint=endpoint)
    except DomainError as exc:
        return refused(request, exc, lambda status: _page(request, status=status))
    return _page(request, revealed=endpoint)


@organization_page(Permission.MANAGE_WEBHOOKS)
@_confirmed_action
def delete(request: MemberRequest, webhook_id: Any) -> HttpResponse:
    endpoint = selectors.webhook_get(organization=request.organization, webhook_id=webhook_id)
    if request.method != "POST":
        question = Question(
            title=_("Delete the webhook endpoint %(url)s?") % {"url": endpoint.url},
            consequences=[_("Nothing more is sent to it, not even the retries under way.")],
            button=_("Yes, delete the endpoint"),
            back=_back(request),
            nav="settings",
        )
        return ask_first(request, question)
    return act(
        request,
        lambda: services.delete_webhook(actor=request.user, endpoint=endpoint),
        page=lambda status: _page(request, status=status),
        success=_("The webhook endpoint %(url)s was deleted.") % {"url": endpoint.url},
        then=("webhooks:list", request.organization.id),
    )


@organization_page(Permission.MANAGE_WEBHOOKS)
@require_safe
def deliveries(request: MemberRequest, webhook_id: Any) -> HttpResponse:
    endpoint = selectors.webhook_get(organization=request.organization, webhook_id=webhook_id)
    queryset = selectors.deliveries_for_webhook(endpoint=endpoint)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "settings",
        "endpoint": endpoint,
        "page": page,
        "retention_days": settings.HANDOVER_WEBHOOK_RETENTION_DAYS,
    }
    return render(request, "webhooks/deliveries.html", context)
