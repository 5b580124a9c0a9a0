"""The transfer pages: the list, starting a transfer, a transfer's page, and receiving through a link.

Views parse, call one service or selector, and render; every rule lives in the services. The secret
of a link is stored nowhere, not in the session either (SPEC §6.2): the request that made a link
leaves in the session only the link's hash ("show it once"), and the transfer's page derives the
secret from the transfer's nonce and SECRET_KEY (links.py) while it is still that link. On the
receiving side the secret leaves the address bar at once (the way Django's password reset does it),
with `Referrer-Policy: no-referrer`, into a signed cookie of open links (`OpenLinks`).
"""

import csv
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
from handover.products.catalogue import product_types
from handover.products.filters import ProductFilter
from handover.terms.selectors import current_conditions
from handover.transfers import picking, services
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
    blocked_condition,
    filtered_products,
    linked_left_behind_ids,
    product_ids,
    product_impacts,
    select_products,
    selected_among,
    transfer_candidates,
    transfer_get_by_token,
    transfer_get_for_admin,
    transfer_impact,
    transfer_items,
    transfer_products,
    transfer_token_for_recipient,
    transfer_type_counts,
    transfers_for_organization,
    transfers_waiting_for_user,
)

HISTORY_PAGE_SIZE = 25
START_PAGE_SIZE = 50  # products a page of the Transfer products page lists (SPEC §6.1)
ITEMS_PAGE_SIZE = 50  # products a page of a transfer lists


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


# What the Transfer products page's own buttons do before showing it again (POST, then redirect):
# each first records the ticks of the page it was on.
BROWSING = {"filter", "goto", "select_all", "clear", "show_blocked", "hide_blocked", "tick"}


@organization_page(Permission.MANAGE_TRANSFERS)
@_reauthentication_for("start")
@require_http_methods(["GET", "HEAD", "POST"])
def start_transfer(request: MemberRequest) -> HttpResponse:
    """Step 1: tick the products and accept the conditions ("Transfer"); step 2: read and validate
    the warnings ("Validate and start the transfer"). Nothing is stored before the last button but
    what is ticked, in the session (see picking.py): paging and searching keep it."""
    org_id = request.organization.id
    picked = picking.load(request.session, org_id)
    if request.method != "POST":
        if request.GET.get("product"):  # from a product's Manage menu: that product alone
            picked.choose([request.GET["product"]])
            picking.save(request.session, org_id, picked)
        form = StartTransferForm(initial={"note": picked.note, "accept_terms": picked.accepted})
        return _start_products_page(request, form, picked)

    form = StartTransferForm(request.POST)
    action = "goto" if "goto" in request.POST else request.POST.get("action", "preview")
    if not form.is_valid():
        return _start_products_page(request, form, picked, status=400)
    _record_ticks(request, form, picked)
    if action in BROWSING or action == "back":
        return _browse(request, picked, action)
    if action == "preview" and not form.cleaned_data["accept_terms"]:
        refusal = TermsNotAccepted(fields={"accept_terms": TermsNotAccepted.message})
        return refused(request, refusal, partial(_start_products_page, request, form, picked), form)

    if action != "start":
        if action in {"add_linked", "remove_blocked"}:
            try:
                _amend(request, picked, action)
            except DomainError as exc:
                return refused(request, exc, partial(_start_products_page, request, form, picked), form)
            picking.save(request.session, org_id, picked)
        return _warnings_or_products(request, form, picked)(200)

    # The impact is computed again only if the start is refused: it costs as much as the start.
    expected = request.POST.get("count", "")
    try:
        started = services.start_transfer(
            actor=request.user,
            organization=request.organization,
            **picked.selection(),
            expected_count=int(expected) if expected.isdigit() else None,
            accept_terms=form.cleaned_data["accept_terms"],
            acknowledge_warnings=form.cleaned_data["acknowledge_warnings"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return refused(request, exc, _warnings_or_products(request, form, picked), form)
    picking.forget(request.session, org_id)
    transfer = started.transfer
    _show_link_once(request, started)
    messages.success(request, _("The transfer has started."))
    return redirect("transfers:detail", transfer.source_organization_id, transfer.id)


def _warnings_or_products(
    request: MemberRequest, form: StartTransferForm, picked: picking.Picked
) -> Callable[[int], HttpResponse]:
    """The warnings page of what is ticked, or, when the selection itself is refused, the products
    page with why (a refusal already shown keeps its own status)."""

    def page(status: int) -> HttpResponse:
        try:
            impact = services.preview_transfer(
                actor=request.user, organization=request.organization, **picked.selection()
            )
        except DomainError as exc:
            if status != 200:
                return _start_products_page(request, form, picked, status)
            return refused(request, exc, partial(_start_products_page, request, form, picked), form)
        return _start_warnings_page(request, form, impact, status)

    return page


def _search(data: Any) -> tuple[ProductFilter, str, str]:
    """The search of the products page (its accepted `type` and `q`), and its filters to show."""
    filters = ProductFilter(data)
    accepted = filters.accepted()
    if not accepted.is_bound:
        return filters, "", ""
    return filters, str(accepted.data.get("type", "")), str(accepted.data.get("q", ""))


def _record_ticks(request: MemberRequest, form: StartTransferForm, picked: picking.Picked) -> None:
    """The boxes of the page posted (`shown`, of which `products` are ticked); a post that lists
    `products` without `shown` (a form of its own, a test) chooses exactly those."""
    picked.note = form.cleaned_data["note"]
    picked.accepted = form.cleaned_data["accept_terms"]
    if "shown" in request.POST:
        picked.tick(
            shown=form.cleaned_data["shown"],
            ticked=form.cleaned_data["products"],
            resolve=lambda: product_ids(
                filtered_products(
                    user=request.user,
                    organization=request.organization,
                    transferable=True,
                    **(picked.filter or {}),
                ),
                limit=settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER + 1,
            ),
        )
    elif "products" in request.POST:  # as posted, duplicates included: the service refuses them
        picked.ids, picked.filter = [str(p) for p in form.cleaned_data["products"]], None
    picking.save(request.session, request.organization.id, picked)


def _browse(request: MemberRequest, picked: picking.Picked, action: str) -> HttpResponse:
    """Apply a button of the products page, then show the page it asks for (its address keeps the
    search, the folded products and the page number)."""
    _, type_, q = _search(request.POST)
    show_blocked = request.POST.get("blocked") == "1"
    page = request.POST.get("goto") or request.POST.get("current_page") or ""
    if action == "select_all":
        candidates = transfer_candidates(
            user=request.user, organization=request.organization, type=type_, q=q
        )
        picked.choose_all(type=type_, q=q, count=candidates.transferable)
    elif action == "clear":
        picked.clear()
    elif action in {"show_blocked", "hide_blocked"}:
        show_blocked, page = action == "show_blocked", ""
    elif action == "filter":
        page = ""
    picking.save(request.session, request.organization.id, picked)
    query = {"q": q, "type": type_, "blocked": "1" if show_blocked else "", "page": page}
    address = reverse("transfers:start", args=[request.organization.id])
    kept = urlencode({k: v for k, v in query.items() if v})
    return redirect(f"{address}?{kept}" if kept else address)


def _amend(request: MemberRequest, picked: picking.Picked, action: str) -> None:
    """The warnings page's "Add them" (the linked products left behind) and "Remove them" (the
    blocked ones): a filter's selection becomes its ids (or, to remove, keeps only what may move)."""
    organization, limit = request.organization, settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER
    if action == "remove_blocked" and picked.is_filter:
        return  # a filter selects only what may move
    selection = select_products(user=request.user, organization=organization, **picked.selection())
    if action == "add_linked":
        linked = linked_left_behind_ids(organization=organization, products=selection.products, limit=limit)
        picked.choose([*product_ids(selection.products, limit=limit + 1), *linked])
    else:
        picked.choose(product_ids(selection.products.exclude(blocked_condition()), limit=limit + 1))


def _start_products_page(
    request: MemberRequest, form: StartTransferForm, picked: picking.Picked, status: int = 200
) -> HttpResponse:
    """The products page: the products of the search, transferable only unless asked, 50 a page in
    natural order, each ticked as held in the session."""
    organization = request.organization
    filters, type_, q = _search(request.GET)
    show_blocked = request.GET.get("blocked") == "1"
    candidates = transfer_candidates(
        user=request.user, organization=organization, type=type_, q=q, show_blocked=show_blocked
    )
    shown_count = candidates.transferable + (candidates.blocked if show_blocked else 0)
    paginator = Paginator(candidates.products, START_PAGE_SIZE)
    paginator.count = shown_count  # type: ignore[misc]  # counted above, with the blocked ones
    page = paginator.get_page(request.GET.get("page"))
    rows = product_impacts(candidates.products, limit=START_PAGE_SIZE, offset=max(page.start_index() - 1, 0))
    if picked.filter is not None:
        chosen = filtered_products(
            user=request.user, organization=organization, transferable=True, **picked.filter
        )
        ticked = selected_among([row.product for row in rows], chosen)
    else:
        ticked = set(picked.ids)
    context = {
        "nav": "transfers",
        "form": form,
        "filters": filters,
        "search": {"q": q, "type": type_},
        "show_blocked": show_blocked,
        "candidates": candidates,
        "rows": rows,
        "page": page,
        "ticked": ticked,
        "picked": picked,
        "all_matching": picked.filter == {"type": type_, "q": q},
        "limit": settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER,
        "conditions": _conditions(),
        "locked": organization.transfers_locked,
    }
    response = render(request, "transfers/start.html", context, status=status)
    if request.headers.get("HX-Request") and request.method == "GET":
        response["HX-Push-Url"] = request.get_full_path()
    return response


def _start_warnings_page(
    request: MemberRequest, form: StartTransferForm, impact: Impact, status: int = 200
) -> HttpResponse:
    context = {
        "nav": "transfers",
        "form": form,
        "impact": impact,
        "note": form.cleaned_data.get("note", ""),
        "locked": request.organization.transfers_locked,
    }
    return render(request, "transfers/start_warnings.html", context, status=status)


@organization_page(Permission.MANAGE_TRANSFERS)
@require_safe
def selection_csv(request: MemberRequest) -> HttpResponse:
    """Every product ticked on the Transfer products page, as CSV (the warnings page lists 50)."""
    picked = picking.load(request.session, request.organization.id)
    if not picked.size:
        raise NotFound()
    selection = select_products(user=request.user, organization=request.organization, **picked.selection())
    return _products_csv(selection.products, "selection.csv")


def _products_csv(products: Any, filename: str) -> HttpResponse:
    """`products` as CSV rows (name, type, status, id), read as tuples: 10,000 of them make no model
    object and about 1 MB."""
    labels = {code: str(known.label) for code, known in product_types().items()}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Type"), _("Status"), "id"])
    for name, type_, status, pk in products.values_list("name", "type", "status", "id").iterator(2000):
        writer.writerow([name, labels.get(type_, type_), status, pk])
    return response


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


def _items_page(request: HttpRequest, transfer: Transfer) -> Any:
    """A page of the transfer's products (`?page=`), counted by the transfer (no COUNT query)."""
    paginator = Paginator(transfer_items(transfer=transfer), ITEMS_PAGE_SIZE)
    paginator.count = transfer.product_count  # type: ignore[misc]  # kept with the transfer
    return paginator.get_page(request.GET.get("page"))


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
            "by_type": transfer_type_counts(transfer=transfer),
            "items": _items_page(request, transfer),
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
@require_safe
def transfer_products_csv(request: MemberRequest, transfer_id: Any) -> HttpResponse:
    """Every product of the transfer, as CSV (its page lists 50 at a time)."""
    transfer = _transfer(request, transfer_id)
    return _products_csv(transfer_products(transfer=transfer), f"transfer-{transfer.id}.csv")


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
        then=(_arrived(destination.id, transfer),),
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


def _arrived(organization_id: Any, transfer: Transfer) -> str:
    """The products page of the Organization that received `transfer`, showing what it brought."""
    return reverse("products:list", args=[organization_id]) + f"?transfer={transfer.id}"


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
            return redirect(_arrived(received.destination_organization_id, received))
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
        return redirect(_arrived(transfer.destination_organization_id, transfer))

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
        "items": _items_page(request, transfer),
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
