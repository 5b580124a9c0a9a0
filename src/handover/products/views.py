from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handover.errors import DomainError
from handover.organizations import access
from handover.organizations.http import MemberRequest, organization_page
from handover.pages import Question, ask_first, refused
from handover.products.filters import ProductFilter
from handover.products.forms import AccessGrantForm
from handover.products.models import Product
from handover.products.selectors import (
    access_candidates,
    product_access_get,
    product_get_visible,
    products_visible_to,
    sort_products,
)
from handover.products.services import grant_access, revoke_access
from handover.transfers.selectors import (
    arrived_with,
    prefetch_pending_transfers,
    transfer_arrived,
    transfer_refusal,
    with_pending_transfer,
)

PAGE_SIZE = 50


@organization_page()
def list(request: MemberRequest) -> HttpResponse:
    """The Organization's home: its products that the user may see, filtered (a refused filter is
    shown and left out), sorted by a column (`sort`) and paginated; after a receive (`?transfer=`),
    only those that just arrived."""
    filters = ProductFilter(request.GET)
    products = products_visible_to(
        user=request.user, organization=request.organization, filters=filters.accepted()
    )
    arrived = transfer_arrived(organization=request.organization, transfer_id=request.GET.get("transfer"))
    if arrived is not None:
        products = arrived_with(products, arrived)
    products, sort = sort_products(products, request.GET.get("sort", ""))
    page = Paginator(with_pending_transfer(products), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "products", "filters": filters, "page": page, "sort": sort, "arrived": arrived}
    return render(request, "products/list.html", context)


def _render_detail(
    request: MemberRequest, product: Product, grant_form: AccessGrantForm | None = None, status: int = 200
) -> HttpResponse:
    manages = access.has_permission(request.membership, access.Permission.MANAGE_PRODUCTS)
    if manages and grant_form is None:
        members, teams = access_candidates(organization=request.organization)
        grant_form = AccessGrantForm(members=members, teams=teams)
    prefetch_pending_transfers([product, *product.linked.all()])
    context = {
        "nav": "products",
        "product": product,
        "refusal": transfer_refusal(product),
        "grant_form": grant_form,
    }
    return render(request, "products/detail.html", context, status=status)


def _product(request: MemberRequest, product_id: object) -> Product:
    return product_get_visible(user=request.user, organization=request.organization, product_id=product_id)


@organization_page()
def detail(request: MemberRequest, product_id: object) -> HttpResponse:
    """The product's dashboard: facts, linked products, access rights and the Manage menu."""
    return _render_detail(request, _product(request, product_id))


@require_POST
@organization_page()
def grant(request: MemberRequest, product_id: object) -> HttpResponse:
    product = _product(request, product_id)
    members, teams = access_candidates(organization=request.organization)
    form = AccessGrantForm(request.POST, members=members, teams=teams)
    if not form.is_valid():
        return _render_detail(request, product, form, status=400)
    try:
        access_row = grant_access(
            actor=request.user, product=product, level=form.cleaned_data["level"], **form.target()
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        return refused(request, exc, lambda status: _render_detail(request, product, form, status), form)
    who = access_row.user.email if access_row.user else access_row.team.name  # type: ignore[union-attr]
    messages.success(
        request,
        _("%(who)s now has the “%(level)s” right on %(product)s.")
        % {"who": who, "level": access_row.get_level_display(), "product": product.name},
    )
    return redirect("products:detail", request.organization.id, product.id)


@organization_page(access.Permission.MANAGE_PRODUCTS)
@require_http_methods(["GET", "HEAD", "POST"])
def revoke(request: MemberRequest, product_id: object, access_id: object) -> HttpResponse:
    """Take a user's or a team's right on the product away; a GET asks first."""
    product = _product(request, product_id)
    access_row = product_access_get(product=product, access_id=access_id)
    who = access_row.user.email if access_row.user else access_row.team.name  # type: ignore[union-attr]
    if request.method != "POST":
        names = {"who": who, "product": product.name}
        question = Question(
            title=_("Revoke the right of %(who)s on %(product)s?") % names
            if access_row.user
            else _("Revoke the right of the team %(who)s on %(product)s?") % names,
            consequences=[
                _("The “%(level)s” right ends at once; the Organization's administrators keep theirs.")
                % {"level": access_row.get_level_display()}
            ],
            button=_("Revoke the right"),
            back=reverse("products:detail", args=[request.organization.id, product.id]),
            nav="products",
        )
        return ask_first(request, question)
    revoke_access(actor=request.user, access=access_row)
    messages.success(
        request, _("%(who)s no longer has a right on %(product)s.") % {"who": who, "product": product.name}
    )
    return redirect("products:detail", request.organization.id, product.id)
