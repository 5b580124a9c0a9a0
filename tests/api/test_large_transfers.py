"""Transfers at reseller scale through the API (SPEC §6.1): up to 10,000 products in one transfer,
answers that do not grow with them, products paged, a selection held as a filter."""

import pytest

from handover.organizations.models import Role
from handover.products.models import Product, ProductStatus, natural_key
from handover.transfers.models import Transfer, TransferItem, TransferState
from tests.support import factories
from tests.support.api import assert_error, receive_body, start_body

START = {"accept_terms": True, "acknowledge_warnings": True}


def _names(products):
    return sorted((p.name for p in products), key=natural_key)


@pytest.fixture
def sixty(org):
    """60 hostings `bulk-0`…`bulk-59`: more than a transfer's answer embeds."""
    return factories.make_products(org, 60, type="web_hosting")


def _start(api, owner, org, **selection):
    response = api(owner).post(f"/organizations/{org.id}/transfers", {**selection, **START})
    assert response.status_code == 201, response.content
    return response.json()


# A transfer's answer and its products -----------------------------------------------------------------


def test_a_transfer_reads_with_its_count_and_its_first_50_products_by_name(api, owner, org, sixty, terms):
    started = _start(api, owner, org, product_ids=[str(p.id) for p in sixty])

    read = api(owner).get(f"/transfers/{started['id']}").json()

    for body in (started, read):
        assert body["product_count"] == 60
        assert [p["name"] for p in body["products"]] == _names(sixty)[:50]


def test_the_products_of_a_transfer_are_paged_by_name_for_both_sides(
    api, owner, org, sixty, terms, recipient, destination
):
    started = _start(api, owner, org, product_ids=[str(p.id) for p in sixty])
    api(recipient).post("/transfer-links/receive", receive_body(started["token"], destination))

    for reader in (owner, recipient):
        first = api(reader).get(f"/transfers/{started['id']}/products", {"limit": 40}).json()
        rest = api(reader).get(f"/transfers/{started['id']}/products", {"limit": 40, "offset": 40}).json()
        assert first["count"] == rest["count"] == 60
        assert [p["name"] for p in first["items"] + rest["items"]] == _names(sixty)
        assert set(first["items"][0]) == {"id", "name", "type"}


def test_the_products_of_a_transfer_are_hidden_from_strangers_and_collaborators(
    api, owner, org, sixty, terms
):
    started = _start(api, owner, org, product_ids=[str(sixty[0].id)])
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)

    assert_error(api(factories.make_user()).get(f"/transfers/{started['id']}/products"), 404, "not_found")
    assert_error(api(collaborator).get(f"/transfers/{started['id']}/products"), 403, "permission_denied")


def test_the_recipient_pages_through_a_links_products_with_the_secret_in_the_body(
    api, owner, org, sixty, terms, recipient
):
    started = _start(api, owner, org, product_ids=[str(p.id) for p in sixty])
    client = api(recipient)

    page = client.post("/transfer-links/products?limit=10&offset=50", {"token": started["token"]})

    assert page.status_code == 200, page.content
    assert page.json()["count"] == 60
    assert [p["name"] for p in page.json()["items"]] == _names(sixty)[50:]
    assert_error(client.post("/transfer-links/products", {"token": "x" * 43}), 404, "transfer_link_unknown")


# Starting with a filter ----------------------------------------------------------------------------------


def test_a_filter_selects_every_matching_product_the_caller_may_see_on_the_server(
    api, owner, org, sixty, terms
):
    factories.make_product(org, "domain", name="bulk-domain.example")
    factories.make_product(org, "web_hosting", name="bulk-off.example", status=ProductStatus.SUSPENDED)
    factories.make_product(org, "ksuite", name="bulk-suite")
    busy = _start(api, owner, org, product_ids=[str(sixty[0].id)])

    started = _start(
        api, owner, org, filter={"type": "web_hosting", "q": "web_hosting-", "transferable": True}
    )

    transfer = Transfer.objects.get(id=started["id"])
    chosen = set(TransferItem.objects.filter(transfer=transfer).values_list("product_id", flat=True))
    assert chosen == {p.id for p in sixty[1:]}  # not the one in `busy`, not the suspended one, no domain
    assert started["product_count"] == transfer.product_count == 59
    assert busy["id"] != started["id"]


def test_a_filter_preview_summarises_the_selection(api, owner, org, sixty, terms):
    factories.make_product(org, "web_hosting", name="web_hosting-off", status=ProductStatus.SUSPENDED)

    body = (
        api(owner)
        .post(f"/organizations/{org.id}/transfers/preview", {"filter": {"type": "web_hosting"}})
        .json()
    )

    assert (body["product_count"], body["blocked_count"], body["ready_count"]) == (61, 1, 60)
    assert body["by_type"] == [
        {"type": "web_hosting", "label": "Web hosting", "count": 61, "blocked_count": 1}
    ]
    assert [p["name"] for p in body["blocked"]] == ["web_hosting-off"]
    assert len(body["products"]) == 50 and body["can_start"] is False


@pytest.mark.parametrize(
    ("selection", "status", "code"),
    [
        ({"filter": {"q": "nothing like this"}}, 400, "no_products"),
        ({"filter": {"type": "no_such_type"}}, 400, "unknown_product_type"),
        ({"filter": {"transferable": True}, "product_ids": []}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_a_bad_selection_starts_nothing(api, owner, org, sixty, terms, selection, status, code):
    response = api(owner).post(f"/organizations/{org.id}/transfers", {**selection, **START})

    assert_error(response, status, code)
    assert not Transfer.objects.exists()


def test_a_filter_matching_more_than_the_maximum_is_refused(api, owner, org, sixty, terms, settings):
    settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER = 59

    body = assert_error(
        api(owner).post(f"/organizations/{org.id}/transfers", {"filter": {}, **START}),
        400,
        "too_many_products",
    )

    assert "59" in body["detail"] and "filter" in body["fields"]
    assert not Transfer.objects.exists()


# Refusals name the first few --------------------------------------------------------------------------------


def test_blocked_products_are_named_a_few_and_counted(api, owner, org, sixty, terms):
    Product.objects.filter(id__in=[p.id for p in sixty[:12]]).update(status=ProductStatus.SUSPENDED)

    body = assert_error(
        api(owner).post(f"/organizations/{org.id}/transfers", start_body(*sixty)),
        422,
        "product_not_transferable",
    )

    names = _names(sixty[:12])
    assert body["detail"].startswith(
        f"These products cannot be transferred: {', '.join(names[:5])} and 7 more."
    )
    assert sorted(body["fields"]["product_ids"]) == sorted(str(p.id) for p in sixty[:12])


def test_a_stale_receive_names_the_first_few_products_and_counts_the_rest(
    api, owner, org, sixty, terms, recipient, destination
):
    started = _start(api, owner, org, product_ids=[str(p.id) for p in sixty])
    Product.objects.filter(id__in=[p.id for p in sixty[:8]]).update(status=ProductStatus.EXPIRED)

    body = assert_error(
        api(recipient).post("/transfer-links/receive", receive_body(started["token"], destination)),
        409,
        "transfer_stale",
    )

    assert f"{', '.join(_names(sixty[:8])[:5])} and 3 more." in body["detail"]
    assert Product.objects.filter(organization=destination).count() == 0
    assert Transfer.objects.get().state == TransferState.PENDING


# The same statements for 10 products or 10,000 ----------------------------------------------------------


@pytest.mark.parametrize("count", [10, 10_000])
def test_a_transfer_of_10_or_10000_products_takes_the_same_queries_through_the_api(
    api, owner, org, terms, recipient, destination, count, django_assert_num_queries
):
    ids = [str(p.id) for p in factories.make_products(org, count)]
    sender, receiver = api(owner), api(recipient)

    with django_assert_num_queries(13):
        preview = sender.post(f"/organizations/{org.id}/transfers/preview", {"product_ids": ids})
    # Starting and receiving each include the webhooks' look-up of the endpoints listening (none here).
    with django_assert_num_queries(20):
        started = sender.post(f"/organizations/{org.id}/transfers", start_body(product_ids=ids))
    token, transfer_id = started.json()["token"], started.json()["id"]
    with django_assert_num_queries(3):
        read = sender.get(f"/transfers/{transfer_id}")
    with django_assert_num_queries(5):
        page = sender.get(f"/transfers/{transfer_id}/products", {"offset": count - 5})
    # Inspecting includes the users the transfer would add to the recipient's Organization (none here).
    with django_assert_num_queries(6):
        inspected = receiver.post("/transfer-links/inspect", {"token": token})
    with django_assert_num_queries(27):
        received = receiver.post("/transfer-links/receive", receive_body(token, destination))

    assert [r.status_code for r in (preview, started, read, page, inspected, received)] == [200, 201] + [
        200
    ] * 4
    assert preview.json()["product_count"] == received.json()["product_count"] == count
    assert len(received.json()["products"]) == min(count, 50)
    assert len(page.json()["items"]) == 5
    assert Product.objects.filter(organization=destination).count() == count
