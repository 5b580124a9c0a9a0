"""The transfer pages: the list, starting a transfer, a transfer's page, and receiving through a link.

Views parse, call one service or selector, and render; every rule lives in the services. The secret
of a link is stored nowhere, not in the session either (SPEC §6.2): the request that made a link
leaves in the session only the link's hash ("show it once"), and the transfer's page derives the
secret from the transfer's nonce and SECRET_KEY (links.py) while it is still that link. On the
receiving side the secret leaves the address bar at once (the way Django's password reset does it),
with `Referrer-Policy: no-referrer`, into a signed cookie of open links (`OpenLinks`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial, wraps
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from handover.accounts.reauthentication import reauthenticated, recent_authentication_required
from handover.errors import DomainError, NotFound
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.http import MemberRequest, SignedInRequest, organization_page
from handover.organizations.selectors import memberships_for_user_with
from handover.pages import Question, act, ask_first, invalid, refused
from handover.products.filters import ProductFilter
from handover.products.selectors import products_visible_to
from handover.terms.selectors import current_conditions
from handover.transfers import services
from handover.transfers.errors import TermsNotAccepted, TransferNotPending
from handover.transfers.filters import TransferFilter
from handover.transfers.forms import (
    CancelTransferForm,
    CompleteTransferForm,
    DeclineTransferForm,
    ReceiveTransferForm,
    SendLinkForm,
    StartTransferForm,
)
from handover.transfers.links import link_secret, link_url
from handover.transfers.models import Transfer, TransferState
from handover.transfers.selectors import (
    Impact,
    first_items,
    product_impacts,
    transfer_get_by_token,
    transfer_get_for_admin,
    transfer_impact,
    transfer_products,
    transfer_token_for_recipient,
    transfers_for_organization,
    transfers_waiting_for_user,
)

HISTORY_PAGE_SIZE = 25


def _link_key(transfer_id: Any) -> str:
    """The session key under which the hash of a new link waits for the transfer's page to show it."""
    return f"transfers:link:{transfer_id}"


def _show_link_once(request: HttpRequest, started: services.StartedTransfer) -> None:
    """Let the transfer's page show this new link once: only its hash goes to the session."""
    request.session[_link_key(started.transfer.id)] = started.transfer.link_hash


def _link_to_show(request: HttpRequest, transfer: Transfer) -> str:
    """The secret of the link just made, derived again, if it is still the transfer's link; once."""
    made = request.session.pop(_link_key(transfer.id), None)
    if not made or made != transfer.link_hash:
        return ""
    return link_secret(transfer.id, transfer.link_nonce)


def _reauthentication_for(
    *actions: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Re-authentication before the POSTs whose `action` is one of `actions`, on a page whose one
    form posts several actions (SPEC §3.5)."""
    return recent_authentication_required(
        lambda request: request.method == "POST" and request.POST.get("action") in actions
    )


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """For the one response whose address holds a link secret: no `Referer` from it, no caching."""
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """For pages that show a link or what a link gives: never cached, and no `Referer` to other sites.

    Their addresses hold no secret. `no-referrer` would be no safer here and would break their forms:
    under it browsers send `Origin: null` with a POST, which Django's CSRF check rightly refuses.
    """
    response["Referrer-Policy"] = "same-origin"
    add_never_cache_headers(response)
    return response


def _conditions() -> Any:
    """The general conditions in force, or None while none is published (the services then refuse)."""
    try:
        return current_conditions()
    except DomainError:
        return None


# The list -------------------------------------------------------------------------------------


@organization_page()
@require_safe
def transfer_list(request: MemberRequest) -> HttpResponse:
    """Outgoing pending transfers, those waiting for the user, and the history with its filters (a
    refused filter is shown, left out, and answers 400)."""
    organization = request.organization
    waiting = transfers_waiting_for_user(user=request.user)
    context: dict[str, Any] = {"nav": "transfers", "waiting": waiting}
    status = 200
    if access.has_permission(request.membership, Permission.MANAGE_TRANSFERS):
        filters = TransferFilter(request.GET, history=True)
        if refusal := filters.refusal():
            status = refusal.status
        history = transfers_for_organization(organization=organization, filters=filters.accepted())
        pending = TransferFilter({"state": TransferState.PENDING})
        context |= {
            "pending": transfers_for_organization(organization=organization, filters=pending),
            "filters": filters,
            "page": Paginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get("page")),
        }
    return render(request, "transfers/list.html", context, status=status)


# Starting -------------------------------------------------------------------------------------


@organization_page(Permission.MANAGE_TRANSFERS)
@_reauthentication_for("start")
@require_http_methods(["GET", "HEAD", "POST"])
def start_transfer(request: MemberRequest) -> HttpResponse:
    """Step 1: check the products and accept the conditions ("Transfer"); step 2: read and validate
    the warnings ("Validate and start the transfer"). Nothing is stored before the last button."""
    if request.method != "POST":
        selected = {request.GET["product"]} if request.GET.get("product") else set()
        return _start_products_page(request, StartTransferForm(initial={"note": ""}), selected=selected)

    form = StartTransferForm(request.POST)
    action = request.POST.get("action", "preview")
    if not form.is_valid():
        return _start_products_page(request, form, selected=set(request.POST.getlist("products")), status=400)
    product_ids = form.cleaned_data["products"]
    if action == "back":
        return _start_products_page(request, form, selected={str(p) for p in product_ids})
    if action == "preview" and not form.cleaned_data["accept_terms"]:
        refusal = TermsNotAccepted(fields={"accept_terms": TermsNotAccepted.message})
        return refused(request, refusal, _start_products(request, form, {str(p) for p in product_ids}), form)

    try:
        impact = _preview(request, product_ids)
        if action in {"add_linked", "remove_blocked"}:
            if action == "add_linked":
                product_ids = [*product_ids, *(p.id for p in impact.linked_left_behind)]
            else:
                blocked = {b.product.id for b in impact.blocked}
                product_ids = [p for p in product_ids if p not in blocked]
            impact = _preview(request, product_ids)
    except DomainError as exc:
        return refused(request, exc, _start_products(request, form, {str(p) for p in product_ids}), form)
    if action != "start":
        return _start_warnings_page(request, form, impact, product_ids)

    try:
        started = services.start_transfer(
            actor=request.user,
            organization=request.organization,
            product_ids=product_ids,
            accept_terms=form.cleaned_data["accept_terms"],
            acknowledge_warnings=form.cleaned_data["acknowledge_warnings"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return refused(request, exc, partial(_start_warnings_page, request, form, impact, product_ids), form)
    transfer = started.transfer
    _show_link_once(request, started)
    messages.success(request, _("The transfer has started."))
    return redirect("transfers:detail", transfer.source_organization_id, transfer.id)


def _preview(request: MemberRequest, product_ids: list[Any]) -> Impact:
    return services.preview_transfer(
        actor=request.user,
        organization=request.organization,
        product_ids=product_ids,
    )


def _start_products(
    request: MemberRequest, form: StartTransferForm, selected: set[str]
) -> Callable[[int], HttpResponse]:
    return lambda status: _start_products_page(request, form, selected=selected, status=status)


def _start_products_page(
    request: MemberRequest, form: StartTransferForm, *, selected: set[str], status: int = 200
) -> HttpResponse:
    organization = request.organization
    limit = settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER
    filters = ProductFilter(request.GET)
    products = products_visible_to(user=request.user, organization=organization, filters=filters.accepted())
    rows = product_impacts(products, limit=limit + 1)
    truncated = len(rows) > limit
    context = {
        "nav": "transfers",
        "form": form,
        "filters": filters,
        "rows": rows[:limit],
        "selected": selected,
        "truncated": truncated,
        "limit": limit,
        "conditions": _conditions(),
        "locked": organization.transfers_locked,
    }
    return render(request, "transfers/start.html", context, status=status)


def _start_warnings_page(
    request: MemberRequest,
    form: StartTransferForm,
    impact: Impact,
    product_ids: list[Any],
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "transfers",
        "form": form,
        "impact": impact,
        "product_ids": product_ids,
        "note": form.cleaned_data.get("note", ""),
        "locked": request.organization.transfers_locked,
    }
    return render(request, "transfers/start_warnings.html", context, status=status)


# A transfer's page ------------------------------------------------------------------------------
# Each action has its own address, like the member actions: the page shows their forms, each form
# posts to its action, and a refused action shows the page again with why.


def _transfer(request: MemberRequest, transfer_id: Any) -> Transfer:
    """The transfer of the address, seen from the Organization of the address: its source or its
    destination (NotFound otherwise)."""
    transfer = transfer_get_for_admin(user=request.user, transfer_id=transfer_id)
    if request.organization.id not in {transfer.source_organization_id, transfer.destination_organization_id}:
        raise NotFound()
    return transfer


def _destinations(request: MemberRequest, transfer: Transfer) -> Any:
    """The user's other Organizations where they may receive the transfer."""
    return memberships_for_user_with(user=request.user, permission=Permission.MANAGE_TRANSFERS).exclude(
        organization_id=transfer.source_organization_id
    )


def _here(transfer: Transfer) -> str:
    return reverse("transfers:detail", args=[transfer.source_organization_id, transfer.id])


def _detail_page(
    request: MemberRequest,
    transfer: Transfer,
    *,
    token: str = "",
    send_form: SendLinkForm | None = None,
    complete_form: CompleteTransferForm | None = None,
) -> Callable[[int], HttpResponse]:
    """The transfer's page, with the forms given (as posted) and fresh ones for the other actions."""

    def page(status: int = 200) -> HttpResponse:
        organization = request.organization
        # Past its expiry a transfer is over, even before the sweep marks it expired.
        expired = transfer.state == TransferState.EXPIRED or (
            transfer.is_pending and transfer.expires_at <= timezone.now()
        )
        outgoing = transfer.source_organization_id == organization.id
        context = {
            "nav": "transfers",
            "transfer": transfer,
            "items": first_items(transfer),
            "expired": expired,
            "outgoing": outgoing,
            "manageable": transfer.is_pending and not expired and outgoing,
            "link": link_url(token) if token else "",
            "conditions": _conditions(),
            "send_form": send_form or SendLinkForm(),
            "complete_form": complete_form
            or CompleteTransferForm(memberships=_destinations(request, transfer)),
        }
        return _private(render(request, "transfers/detail.html", context, status=status))

    return page


@organization_page(Permission.MANAGE_TRANSFERS)
@require_safe
def transfer_detail(request: MemberRequest, transfer_id: Any) -> HttpResponse:
    """A transfer seen from its source or its destination; while pending, the source's admins copy,
    renew or send its link, complete it directly or cancel it. A link just made is shown once."""
    transfer = _transfer(request, transfer_id)
    return _detail_page(request, transfer, token=_link_to_show(request, transfer))(200)


# The actions that take a capability away (the current link): a GET is their confirm step.
_confirmed_action = require_http_methods(["GET", "HEAD", "POST"])


@organization_page(Permission.MANAGE_TRANSFERS)
@reauthenticated
@_confirmed_action
def transfer_rotate(request: MemberRequest, transfer_id: Any) -> HttpResponse:
    """A new link replaces the previous one, which stops working; the page shows it once. A GET
    asks first."""
    transfer = _transfer(request, transfer_id)
    if request.method != "POST":
        question = Question(
            title=_("Get a new link?"),
            consequences=[
                _(
                    "The current link stops working at once: whoever has it can no longer receive the "
                    "products."
                ),
                _("The new link is shown once, on the transfer's page."),
            ],
            button=_("Get a new link"),
            back=_here(transfer),
            nav="transfers",
        )
        return ask_first(request, question)
    try:
        started = services.rotate_transfer_link(actor=request.user, transfer=transfer)
    except DomainError as exc:
        return refused(request, exc, _detail_page(request, transfer))
    _show_link_once(request, started)
    messages.success(request, _("Here is a new link. The previous link no longer works."))
    return HttpResponseRedirect(_here(transfer) + "#copy")


def _posted(
    panel: str, make_form: Callable[[MemberRequest, Transfer], Any]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An action posting one form of the page (`panel`): the view gets the transfer of its address,
    the form as posted and valid, and the page to show again with it; an invalid form shows the page
    again, 400."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: MemberRequest, transfer_id: Any) -> HttpResponse:
            transfer = _transfer(request, transfer_id)
            form = make_form(request, transfer)
            page = _detail_page(request, transfer, **{panel: form})
            if not form.is_valid():
                return invalid(request, page, _("Correct the fields below."))
            return view(request, transfer, form, page)

        return wrapper

    return decorate


@organization_page(Permission.MANAGE_TRANSFERS)
@reauthenticated
@require_POST
@_posted("send_form", lambda request, transfer: SendLinkForm(request.POST))
def transfer_send(request: MemberRequest, transfer: Transfer, form: SendLinkForm, page: Any) -> HttpResponse:
    """Email a new link to an address of the sender's choice."""
    sent = _("The transfer link was sent to %(email)s. Any previous link no longer works.")
    return act(
        request,
        lambda: services.send_transfer_link(actor=request.user, transfer=transfer, **form.cleaned_data),
        page=page,
        form=form,
        success=sent % {"email": form.cleaned_data["email"].lower()},
        then=(_here(transfer),),
    )


@organization_page(Permission.MANAGE_TRANSFERS)
@reauthenticated
@require_POST
@_posted(
    "complete_form",
    lambda request, transfer: CompleteTransferForm(
        request.POST, memberships=_destinations(request, transfer)
    ),
)
def transfer_complete(
    request: MemberRequest, transfer: Transfer, form: CompleteTransferForm, page: Any
) -> HttpResponse:
    """Move the products now into another Organization of the same user, then show them there."""
    destination = form.destination_organization()
    return act(
        request,
        lambda: services.complete_transfer(
            actor=request.user,
            transfer=transfer,
            destination=destination,
            accept_terms=form.cleaned_data["accept_terms"],
        ),
        page=page,
        form=form,
        success=_received_message,
        then=("products:list", destination.id),
    )


@organization_page(Permission.MANAGE_TRANSFERS)
@_confirmed_action
def transfer_cancel(request: MemberRequest, transfer_id: Any) -> HttpResponse:
    """Cancel the transfer: the products stay, the link dies. A GET asks first, with the reason."""
    transfer = _transfer(request, transfer_id)
    form = CancelTransferForm(request.POST if request.method == "POST" else None)

    def step(status: int = 200) -> HttpResponse:
        question = Question(
            title=_("Cancel this transfer?"),
            consequences=[_("The products stay in this Organization and the link stops working.")],
            button=_("Yes, cancel the transfer"),
            back=_here(transfer),
            form=form,
            nav="transfers",
        )
        return ask_first(request, question, status)

    if request.method != "POST":
        return step()
    if not form.is_valid():
        return invalid(request, step, _("Correct the fields below."))
    return act(
        request,
        lambda: services.cancel_transfer(actor=request.user, transfer=transfer, **form.cleaned_data),
        page=step,
        form=form,
        success=_("The transfer was cancelled. Its link no longer works."),
        then=(_here(transfer),),
    )


def _received_message(transfer: Transfer) -> str:
    count = transfer.product_count
    return ngettext(
        "The product was transferred from %(source)s to %(destination)s.",
        "The %(count)s products were transferred from %(source)s to %(destination)s.",
        count,
    ) % {
        "count": count,
        "source": transfer.source_organization.name,
        "destination": transfer.destination_organization.name if transfer.destination_organization else "",
    }


# Receiving ------------------------------------------------------------------------------------


@require_safe
def receive_link(request: HttpRequest, token: str) -> HttpResponse:
    """Move the link from the address into the browser's cookie of open links, and show the page of
    its transfer without it.

    Opening a link changes nothing else, and writes no row: mail scanners open links too, and a
    visitor who is not signed in has no session (SPEC §6.2).
    """
    links = OpenLinks.of(request)
    transfer = transfer_get_by_token(token=token)
    if transfer is None:
        links.unknown = token[:TOKEN_KEPT]
        return _no_referrer(links.kept(redirect("transfers:receive")))
    links.add(transfer)
    return _no_referrer(links.kept(redirect(_receive_url(transfer.id))))


@login_required
@require_safe
def receive_waiting(request: SignedInRequest, transfer_id: Any) -> HttpResponse:
    """Open a transfer from "Waiting for you" as its emailed link would."""
    token = transfer_token_for_recipient(user=request.user, transfer_id=transfer_id)
    transfer = transfer_get_by_token(token=token)
    if transfer is None:
        raise NotFound()
    links = OpenLinks.of(request)
    links.add(transfer)
    return links.kept(redirect(_receive_url(transfer.id)))


TOKEN_KEPT = 200  # a secret is 43 characters; an unknown "link" is kept only to be refused


@dataclass
class OpenLinks:
    """The transfer links this browser opened, kept in a signed cookie rather than the session: a
    visitor not yet signed in has none (anonymous requests write no row), and no secret is kept —
    a known link as its transfer's id and nonce, from which only the server (with SECRET_KEY) derives
    the secret again; an unknown one, no secret of anything, as it is, to be refused on the page.

    Several at once, by transfer: each receive page names its transfer (`?transfer=`, and the form's
    hidden `transfer`), so that a second link opened in another tab never changes what the first
    tab's form receives (SPEC §6.2). A link stays open after it was used: submitting twice, or
    opening it again, answers the same outcome (SPEC §3.9).
    """

    open: dict[str, str] = field(default_factory=dict)  # transfer id -> nonce, oldest first
    unknown: str = ""

    COOKIE: ClassVar[str] = "handover_transfer_links"
    SALT: ClassVar[str] = "handover.transfers.open_links"
    PATH: ClassVar[str] = "/transfers/"  # the receive pages and "Waiting for you"
    KEEP: ClassVar[int] = 10

    @classmethod
    def of(cls, request: HttpRequest) -> "OpenLinks":
        try:
            kept = signing.loads(
                request.COOKIES.get(cls.COOKIE, ""), salt=cls.SALT, max_age=settings.HANDOVER_TRANSFER_TTL
            )
            return cls(open=dict(kept["open"]), unknown=str(kept.get("unknown", "")))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return cls()

    def add(self, transfer: Transfer) -> None:
        self.open.pop(str(transfer.id), None)
        self.open[str(transfer.id)] = transfer.link_nonce
        self.open = dict(list(self.open.items())[-self.KEEP :])
        self.unknown = ""

    def token(self, transfer_id: str) -> str:
        """The secret of the link opened for `transfer_id`, or ""."""
        nonce = self.open.get(transfer_id)
        return link_secret(transfer_id, nonce) if nonce else ""

    def latest(self) -> str:
        """The link opened last: an unknown one (to be refused), else the last known one, or ""."""
        if self.unknown or not self.open:
            return self.unknown
        return self.token(list(self.open)[-1])

    def kept(self, response: HttpResponse) -> HttpResponse:
        value = signing.dumps({"open": list(self.open.items()), "unknown": self.unknown}, salt=self.SALT)
        response.set_cookie(
            self.COOKIE,
            value,
            max_age=settings.HANDOVER_TRANSFER_TTL,
            path=self.PATH,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


def _receive_url(transfer_id: Any) -> str:
    return f"{reverse('transfers:receive')}?{urlencode({'transfer': str(transfer_id)})}"


def _link_token(request: HttpRequest, links: OpenLinks) -> str:
    """The secret of the link a receive page is about. A POST names its transfer (the form's hidden
    `transfer`) and acts on that one or on none; a GET shows the transfer of its address, or without
    one the link opened last."""
    if request.method == "POST":
        return links.token(str(request.POST.get("transfer", "")))
    if "transfer" in request.GET:
        return links.token(str(request.GET["transfer"]))
    return links.latest()


NO_LINK = gettext_lazy("Open the transfer link you received to see this page.")
NOT_OPEN = gettext_lazy(
    "The transfer this form was for is no longer open in this browser: open its link again. "
    "Nothing was changed."
)


@_reauthentication_for("receive")
@require_http_methods(["GET", "HEAD", "POST"])
def receive_transfer(request: HttpRequest) -> HttpResponse:
    """What the link would bring, and the form to receive it into one of the user's Organizations,
    or into a new one, or to decline it. Only the POST of the form acts."""
    if not request.user.is_authenticated:
        messages.info(request, _("Sign in, or create an account, to receive the transfer."))
        return redirect_to_login(request.get_full_path())
    actor: Any = request.user
    links = OpenLinks.of(request)
    token = _link_token(request, links)
    if not token:
        return _receive_error(request, NotFound(NOT_OPEN if request.method == "POST" else NO_LINK))
    try:
        transfer = services.inspect_transfer_link(actor=actor, token=token)
    except TransferNotPending as exc:
        received = transfer_get_by_token(token=token)
        if received is not None and received.received_by_id == actor.pk:
            # Opened again after receiving it, or submitted twice: the same outcome as the first time.
            messages.success(request, _received_message(received))
            return redirect("products:list", received.destination_organization_id)
        return _receive_error(request, exc)
    except DomainError as exc:
        return _receive_error(request, exc)

    offered = memberships_for_user_with(user=actor, permission=Permission.MANAGE_TRANSFERS).exclude(
        organization_id=transfer.source_organization_id
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        mode = "new" if request.POST.get("mode") == "new" else "existing"
    else:
        mode = "new" if request.GET.get("new") else "existing"
    page: dict[str, Any] = {"transfer": transfer, "offered": offered, "mode": mode}

    if action == "receive":
        form = ReceiveTransferForm(request.POST, memberships=offered)
        if not form.is_valid():
            return _receive_page(request, 400, **page, form=form)
        try:
            transfer = services.receive_transfer(
                actor=actor,
                token=token,
                accept_terms=form.cleaned_data["accept_terms"],
                destination=form.destination_organization() if mode == "existing" else None,
                new_organization_name=form.cleaned_data["new_organization_name"] if mode == "new" else "",
            )
        except DomainError as exc:
            return refused(request, exc, partial(_receive_page, request, **page, form=form), form)
        messages.success(request, _received_message(transfer))
        return redirect("products:list", transfer.destination_organization_id)

    if request.method == "POST":
        return refused(request, DomainError(_("Choose an action.")), partial(_receive_page, request, **page))
    return _receive_page(request, **page)


def _receive_page(
    request: HttpRequest,
    status: int = 200,
    *,
    transfer: Transfer,
    offered: Any,
    mode: str,
    form: ReceiveTransferForm | None = None,
) -> HttpResponse:
    offered = list(offered)
    impact = transfer_impact(
        organization=transfer.source_organization,
        products=transfer_products(transfer=transfer),
        transfer=transfer,
    )
    context = {
        "transfer": transfer,
        "count": transfer.product_count,
        "impact": impact,
        "users_losing": impact.users_losing_access_count,
        "teams_losing": impact.teams_losing_rights_count,
        "form": form or ReceiveTransferForm(memberships=offered),
        "mode": "new" if mode == "new" or not offered else "existing",
        "offered": offered,
        "conditions": _conditions(),
        "here": _receive_url(transfer.id),
    }
    return _private(render(request, "transfers/receive.html", context, status=status))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decline(request: SignedInRequest) -> HttpResponse:
    """Decline the transfer of the link opened: the products stay with its source, which is told. A
    GET asks first, with an optional reason. Like the receive page, it names its transfer."""
    links = OpenLinks.of(request)
    token = _link_token(request, links)
    if not token:
        return _receive_error(request, NotFound(NOT_OPEN if request.method == "POST" else NO_LINK))
    try:
        shown = services.inspect_transfer_link(actor=request.user, token=token)
    except DomainError as exc:
        return _receive_error(request, exc)
    form = DeclineTransferForm(request.POST if request.method == "POST" else None)

    def step(status: int = 200) -> HttpResponse:
        question = Question(
            title=_("Decline the transfer?"),
            consequences=[
                _("The products stay with the sending Organization, which is told that you declined."),
                _("The link stops working: you cannot receive the products with it later."),
            ],
            button=_("Decline the transfer"),
            back=_receive_url(shown.id),
            form=form,
            hidden={"transfer": str(shown.id)},
        )
        return _private(ask_first(request, question, status))

    if request.method != "POST":
        return step()
    if not form.is_valid():
        return invalid(request, step, _("Correct the fields below."))
    try:
        transfer = services.decline_transfer(
            actor=request.user, token=token, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return refused(request, exc, step, form)
    return _private(render(request, "transfers/declined.html", {"transfer": transfer}))


RECEIVE_ERROR_TITLES = {
    "transfer_link_unknown": gettext_lazy("This transfer link is not valid"),
    "transfer_expired": gettext_lazy("This transfer link has expired"),
    "transfer_not_pending": gettext_lazy("This transfer is no longer pending"),
    "transfer_bound_to_email": gettext_lazy("This transfer was sent to another email address"),
    "too_many_attempts": gettext_lazy("Too many attempts"),
}


def _receive_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    title = RECEIVE_ERROR_TITLES.get(exc.code) or _("No transfer link")
    context = {"title": title, "detail": exc.detail, "code": exc.code}
    return _retry_after(
        exc, _private(render(request, "transfers/receive_error.html", context, status=exc.status))
    )


def _retry_after(exc: DomainError, response: HttpResponse) -> HttpResponse:
    """A refusal for too many attempts says when to come back."""
    if retry_after := getattr(exc, "retry_after", None):
        response["Retry-After"] = str(retry_after)
    return response
