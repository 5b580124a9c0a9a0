"""The pages of a transfer at reseller scale (SPEC §6.1): the Transfer products page pages, searches
and keeps what is ticked on the server ("Select all N matching" holds the filter); the warnings,
receive and transfer pages summarise; no page of the flow weighs more than 150 KB, and none makes
more queries for 10,000 products than for 5."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from handover.products.models import Product, ProductStatus
from handover.transfers.links import link_secret
from handover.transfers.models import Transfer, TransferItem, TransferState
from tests.support import factories
from tests.support.factories import PASSWORD

PAGE_LIMIT = 150 * 1024
RECEIVE = reverse("transfers:receive")


@pytest.fixture
def sign_in(client):
    def _sign_in(user):
        client.force_login(user)
        assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
        return client

    return _sign_in


def start_url(org, **query):
    address = reverse("transfers:start", args=[org.id])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def body(response):
    return response.content.decode()


def checked(response, product):
    return f'value="{product.id}" id="product-{product.id}" checked' in body(response)


def post(client, org, shown=(), ticked=(), **data):
    """A button of the products page, with the boxes of the page it was on."""
    fields = {"shown": [str(p.id) for p in shown], "products": [str(p.id) for p in ticked], **data}
    return client.post(start_url(org), fields)


# Natural order, pages, search -------------------------------------------------------------------


def test_products_are_listed_in_natural_order_fifty_a_page(sign_in, org, owner, terms):
    factories.make_products(org, 120, type="domain")  # domain-0 … domain-119
    client = sign_in(owner)

    first = client.get(start_url(org))
    names = [f"domain-{i}<" for i in range(50)]
    text = body(first)
    assert all(name.replace("<", "</label>") in text for name in names)
    assert text.index("domain-2</label>") < text.index("domain-10</label>")
    assert "domain-50</label>" not in text
    assertContains(first, 'class="link" name="goto" value="3"')

    third = client.get(start_url(org, page=3))
    assertContains(third, "domain-119</label>")
    assertNotContains(third, "domain-49</label>")


def test_the_products_page_sorts_naturally_and_by_column(sign_in, org, owner):
    factories.make_product(org, name="bulk-10")
    factories.make_product(org, name="bulk-2")
    factories.make_product(org, "domain", name="bulk-3")
    client = sign_in(owner)
    products = reverse("products:list", args=[org.id])

    text = body(client.get(products))
    assert text.index(">bulk-2<") < text.index(">bulk-3<") < text.index(">bulk-10<")
    assert 'aria-sort="ascending"' in text
    text = body(client.get(products, {"sort": "-name"}))
    assert text.index(">bulk-10<") < text.index(">bulk-3<") < text.index(">bulk-2<")
    text = body(client.get(products, {"sort": "type"}))
    assert text.index(">bulk-3<") < text.index(">bulk-2<")  # a domain name before web hostings


def test_the_products_page_numbers_its_pages(sign_in, org, owner):
    factories.make_products(org, 260)
    response = sign_in(owner).get(reverse("products:list", args=[org.id]), {"page": "3"})
    assertContains(response, '<span aria-current="page" class="current">')
    for number in (1, 2, 4, 5, 6):
        assertContains(response, f'href="?page={number}"')
    assertContains(response, "Page 3 of 6")


def test_ticks_survive_search_and_paging(sign_in, org, owner, terms):
    shop = factories.make_product(org, name="shop.example")
    blog = factories.make_product(org, name="blog.example")
    mail = factories.make_product(org, "domain", name="mail.example")
    client = sign_in(owner)

    # Tick shop, then search "blog": shop stays ticked though it is not shown.
    response = post(client, org, shown=[blog, mail, shop], ticked=[shop], q="blog", action="filter")
    assert response.status_code == 302 and response["Location"] == start_url(org, q="blog")
    page = client.get(response["Location"])
    assertContains(page, "1 selected")
    assert not checked(page, blog)

    # Tick blog on the searched page; clear the search: both are ticked.
    response = post(client, org, shown=[blog], ticked=[blog], q="", action="filter")
    page = client.get(response["Location"])
    assert checked(page, shop) and checked(page, blog) and not checked(page, mail)
    assertContains(page, "2 selected")

    # Untick shop while going to another page: only blog stays.
    post(client, org, shown=[blog, mail, shop], ticked=[blog], goto="1")
    assert checked(client.get(start_url(org)), blog)
    assert not checked(client.get(start_url(org)), shop)

    # The type filter keeps them too.
    response = post(
        client, org, shown=[blog, mail, shop], ticked=[blog, mail], type="domain", action="filter"
    )
    assert response["Location"] == start_url(org, type="domain")
    assertContains(client.get(response["Location"]), "2 selected")


def test_blocked_products_are_folded_behind_a_count_and_shown_on_demand(sign_in, start, org, owner, terms):
    factories.make_products(org, 3)
    factories.make_product(org, "ksuite", name="suite.example")
    busy = factories.make_product(org, name="busy.example")
    start(owner, org, busy)
    client = sign_in(owner)

    page = client.get(start_url(org))
    assertContains(page, "2 more products cannot be transferred now")
    assertNotContains(page, "suite.example")
    assertContains(page, "Select all 3 matching")

    response = post(client, org, action="show_blocked")
    assert response["Location"] == start_url(org, blocked=1)
    page = client.get(response["Location"])
    assertContains(page, "suite.example")
    assertContains(page, "See the pending transfer")
    assertContains(page, "Show the transferable products only")


# Select all N matching ------------------------------------------------------------------------------


def test_select_all_matching_holds_the_filter_and_the_transfer_takes_them_all(sign_in, org, owner, terms):
    factories.make_products(org, 120)
    factories.make_products(org, 5, type="domain")
    factories.make_product(org, "ksuite", name="suite.example")
    client = sign_in(owner)

    response = post(client, org, type="web_hosting", action="select_all")
    page = client.get(response["Location"])
    assertContains(page, "All 120 products that match are selected.")
    assertContains(page, "120 selected")
    page2 = client.get(start_url(org, type="web_hosting", page=3))
    assert all(
        checked(page2, p) for p in Product.objects.filter(name__in=["web_hosting-119", "web_hosting-100"])
    )

    # The filter is kept as a filter even on another search.
    other = client.get(start_url(org, type="domain"))
    assertContains(other, "120 selected")
    assert not any(checked(other, p) for p in Product.objects.filter(type="domain"))

    warnings = client.post(
        start_url(org), {"accept_terms": "on", "note": "All hostings", "action": "preview"}
    )
    assertContains(warnings, "You are about to transfer 120 products")
    assertContains(warnings, '<input type="hidden" name="count" value="120">')
    assertContains(warnings, reverse("transfers:selection_csv", args=[org.id]))
    assert len(warnings.content) < PAGE_LIMIT

    response = client.post(
        start_url(org),
        {
            "accept_terms": "on",
            "acknowledge_warnings": "on",
            "note": "All hostings",
            "count": "120",
            "action": "start",
        },
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert (transfer.product_count, transfer.note) == (120, "All hostings")
    assert set(transfer.items.values_list("product__type", flat=True)) == {"web_hosting"}
    # The selection is forgotten once the transfer started.
    assertContains(client.get(start_url(org)), "0 selected")


def test_a_filter_selection_that_changed_since_the_warnings_is_refused(sign_in, org, owner, terms):
    factories.make_products(org, 4)
    client = sign_in(owner)
    post(client, org, action="select_all")
    assertContains(
        client.post(start_url(org), {"accept_terms": "on", "action": "preview"}), "transfer 4 products"
    )

    factories.make_product(org, name="late.example")
    response = client.post(
        start_url(org), {"accept_terms": "on", "acknowledge_warnings": "on", "count": "4", "action": "start"}
    )

    assertContains(response, "The selected products changed", status_code=409)
    assert not Transfer.objects.exists()


def test_unticking_one_of_all_matching_keeps_the_others(sign_in, org, owner, terms):
    products = factories.make_products(org, 60)
    client = sign_in(owner)
    post(client, org, action="select_all")
    shown = sorted(products, key=lambda p: int(p.name.rsplit("-", 1)[1]))[:50]

    post(client, org, shown=shown, ticked=shown[1:], action="tick")

    page = client.get(start_url(org))
    assertContains(page, "59 selected")
    assert not checked(page, shown[0]) and checked(page, shown[1])


def test_the_selection_downloads_as_csv(sign_in, org, owner, terms):
    factories.make_products(org, 70)
    client = sign_in(owner)
    post(client, org, action="select_all")

    response = client.get(reverse("transfers:selection_csv", args=[org.id]))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "Type", "Status", "id"]
    assert len(rows) == 71 and rows[1][0] == "web_hosting-0" and rows[3][0] == "web_hosting-2"


# The transfer's page ----------------------------------------------------------------------------------


def test_the_page_of_a_large_transfer_summarises_and_pages_its_products(sign_in, start, org, owner, terms):
    products = [*factories.make_products(org, 70), *factories.make_products(org, 3, type="domain")]
    transfer = start(owner, org, *products).transfer
    client = sign_in(owner)
    page = reverse("transfers:detail", args=[org.id, transfer.id])

    first = client.get(page)
    assertContains(first, "Web hosting: <strong>70</strong>")
    assertContains(first, "Domain name: <strong>3</strong>")
    assertContains(first, "Page 1 of 2")
    second = client.get(page, {"page": "2"})
    assertContains(second, "web_hosting-69")

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("transfers:products_csv", args=[org.id, transfer.id])).content.decode()
            )
        )
    )
    assert len(rows) == 74


# Size and queries at 5 and 10,000 products -------------------------------------------------------


def _walk(client, org, recipient, destination, sign_in):
    """The whole flow as a browser walks it; each page's size and queries."""
    seen = {}

    def measure(name, call, status=200):
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code == status, (name, response.content[:300])
        seen[name] = (len(response.content), len(queries))
        return response

    measure("products page", lambda: client.get(start_url(org)))
    measure("select all", lambda: post(client, org, action="select_all"), 302)
    measure("products page, all selected", lambda: client.get(start_url(org, page=2)))
    measure("warnings", lambda: client.post(start_url(org), {"accept_terms": "on", "action": "preview"}))
    count = str(Product.objects.filter(organization=org).count())
    started = measure(
        "start",
        lambda: client.post(
            start_url(org),
            {"accept_terms": "on", "acknowledge_warnings": "on", "count": count, "action": "start"},
        ),
        302,
    )
    measure("transfer page", lambda: client.get(started["Location"]))
    transfer = Transfer.objects.get()
    # The recipient opens the link in another browser session.
    client.logout()
    sign_in(recipient)
    token = link_secret(transfer.id, transfer.link_nonce)
    client.get(reverse("transfers:receive_link", args=[token]))
    measure("receive page", lambda: client.get(RECEIVE))
    measure("receive page 2", lambda: client.get(RECEIVE, {"page": "2"}))
    measure(
        "receive",
        lambda: client.post(
            RECEIVE,
            {
                "action": "receive",
                "mode": "existing",
                "destination": str(destination.id),
                "accept_terms": "on",
                "transfer": str(transfer.id),  # the form names the transfer it shows
            },
        ),
        302,
    )
    measure(
        "products page of the destination",
        lambda: client.get(reverse("products:list", args=[destination.id])),
    )
    return seen


@pytest.mark.parametrize("count", [5, 10_000])
def test_every_page_of_the_flow_stays_small_and_its_queries_constant(
    sign_in, org, owner, recipient, destination, terms, count
):
    factories.make_products(org, count)

    sizes = _walk(sign_in(owner), org, recipient, destination, sign_in)

    assert Product.objects.filter(organization=destination).count() == count
    assert TransferItem.objects.filter(pending=True).count() == 0
    assert Transfer.objects.get().state == TransferState.COMPLETED
    for name, (size, _) in sizes.items():
        assert size <= PAGE_LIMIT, (name, size)
    assert {name: queries for name, (_, queries) in sizes.items()} == EXPECTED_QUERIES


# The same for 5 products and for 10,000 (the first page also reads the session's Organization).
EXPECTED_QUERIES = {
    "products page": 14,
    "select all": 8,
    "products page, all selected": 12,
    "warnings": 19,
    "start": 25,
    "transfer page": 14,
    "receive page": 18,  # with the badge of the transfers icon, outside an Organization
    "receive page 2": 18,
    "receive": 31,
    "products page of the destination": 12,
}


def test_a_suspended_product_is_not_selected_by_select_all(sign_in, org, owner, terms):
    factories.make_products(org, 3)
    factories.make_product(org, status=ProductStatus.SUSPENDED, name="paused.example")
    client = sign_in(owner)
    post(client, org, action="select_all")
    assertContains(client.get(start_url(org)), "3 selected")


def test_a_malformed_page_of_boxes_is_refused_and_changes_nothing(sign_in, org, owner, hosting, terms):
    client = sign_in(owner)
    post(client, org, shown=[hosting], ticked=[hosting], action="tick")

    response = client.post(start_url(org), {"shown": ["not-a-uuid"], "action": "tick"})

    assertContains(response, "A selected product is not valid.", status_code=400)
    assert checked(client.get(start_url(org)), hosting)


def test_adding_the_linked_products_to_all_matching_keeps_them_all(sign_in, org, owner, terms):
    hostings = factories.make_products(org, 3)
    domain = factories.make_product(org, "domain", name="linked.example")
    hostings[0].linked.add(domain)
    client = sign_in(owner)
    post(client, org, type="web_hosting", action="select_all")
    warnings = client.post(start_url(org), {"accept_terms": "on", "action": "preview"})
    assertContains(warnings, "Linked products stay behind unless you add them: linked.example.")

    response = client.post(start_url(org), {"accept_terms": "on", "action": "add_linked"})

    assertContains(response, '<input type="hidden" name="count" value="4">')
    assertNotContains(response, "Linked products stay behind")
    response = client.post(
        start_url(org), {"accept_terms": "on", "acknowledge_warnings": "on", "count": "4", "action": "start"}
    )
    assert response.status_code == 302
    assert Transfer.objects.get().product_count == 4
