"""The products list (the Organization's home) and a product's dashboard."""

import datetime

import pytest
from django.urls import reverse

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Role
from handover.products.catalogue import JELASTIC_REFUSAL, KSUITE_REFUSAL
from handover.products.models import AccessLevel, ProductAccess, ProductStatus
from handover.transfers.selectors import IN_PENDING_TRANSFER, INELIGIBLE_STATUS
from tests.support import factories

pytestmark = pytest.mark.django_db


def list_url(org, **query) -> str:
    from urllib.parse import urlencode

    url = reverse("products:list", args=[org.id])
    return f"{url}?{urlencode(query)}" if query else url


def detail_url(product) -> str:
    return reverse("products:detail", args=[product.organization_id, product.id])


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


# The list


def test_the_list_shows_each_product_with_type_status_renewal_and_pending_badge(admin_client, owner, org):
    domain = factories.make_product(org, "domain", name="shop.example")
    domain.renews_on = datetime.date(2027, 3, 1)
    domain.save()
    factories.make_product(org, "kdrive", name="Team drive", status=ProductStatus.SUSPENDED)
    transfer = factories.make_pending_transfer(org, owner, domain)

    response = admin_client.get(list_url(org))

    assert response.status_code == 200
    page = response.content.decode()
    assert "shop.example" in page
    assert "Domain name" in page
    assert "Team drive" in page
    assert '<span class="tag suspended">Suspended</span>' in page
    assert 'datetime="2027-03-01"' in page
    assert "In a pending transfer" in page
    assert reverse("transfers:detail", args=[org.id, transfer.id]) in page
    assert response.context["nav"] == "products"


def test_the_list_filters_by_type_status_transferable_and_search(admin_client, org):
    factories.make_product(org, "domain", name="shop.example")
    factories.make_product(org, "domain", name="old.example", status=ProductStatus.EXPIRED)
    factories.make_product(org, "ksuite", name="Office suite")
    factories.make_product(org, "web_hosting", name="shop hosting")

    def shown(**query) -> list[str]:
        response = admin_client.get(list_url(org, **query))
        assert response.status_code == 200
        return [p.name for p in response.context["page"]]

    assert shown(type="domain") == ["old.example", "shop.example"]
    assert shown(status="expired") == ["old.example"]
    assert shown(transferable="yes") == ["shop hosting", "shop.example"]
    assert shown(transferable="no") == ["Office suite", "old.example"]
    assert shown(q="shop") == ["shop hosting", "shop.example"]
    assert shown(q="shop", type="web_hosting") == ["shop hosting"]


def test_an_invalid_filter_is_reported_and_ignored(admin_client, org):
    factories.make_product(org, "domain", name="shop.example")

    response = admin_client.get(list_url(org, type="toaster"))

    assert response.status_code == 200
    assert [p.name for p in response.context["page"]] == ["shop.example"]
    assert "Select a valid choice" in response.content.decode()


def test_the_list_is_paginated_by_fifty(admin_client, org):
    factories.make_products(org, 120)

    first = admin_client.get(list_url(org))
    third = admin_client.get(list_url(org, page=3))

    assert len(first.context["page"]) == 50
    assert len(third.context["page"]) == 20
    assert "120 products" in first.content.decode()
    assert "page=2" in first.content.decode()


def test_a_collaborator_sees_only_products_shared_with_them(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    mine = factories.make_product(org, name="mine.example")
    ours = factories.make_product(org, name="ours.example")
    factories.make_product(org, name="secret.example")
    factories.grant(mine, collaborator, AccessLevel.USE)
    factories.grant(ours, factories.make_team(org, collaborator))
    client.force_login(collaborator)

    response = client.get(list_url(org))

    assert [p.name for p in response.context["page"]] == ["mine.example", "ours.example"]
    assert "secret.example" not in response.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_makes_the_same_queries_for_5_and_50_rows(
    admin_client, owner, org, rows, django_assert_num_queries
):
    products = factories.make_products(org, rows)
    factories.make_pending_transfer(org, owner, *products[:2])
    admin_client.get(list_url(org))  # the first visit also remembers the Organization in the session

    # session, user, membership (page), membership (selector), count, page, sidebar: memberships, transfers
    with django_assert_num_queries(8):
        response = admin_client.get(list_url(org))
    assert len(response.context["page"]) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_of_a_collaborator_makes_the_same_queries_for_5_and_50_rows(
    client, org, rows, django_assert_num_queries
):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    team = factories.make_team(org, collaborator)
    for i, product in enumerate(factories.make_products(org, rows)):
        factories.grant(product, collaborator if i % 2 else team)
    client.force_login(collaborator)
    client.get(list_url(org))

    with django_assert_num_queries(8):
        response = client.get(list_url(org))
    assert len(response.context["page"]) == rows


# The dashboard


def test_the_dashboard_shows_facts_links_and_accesses(admin_client, org):
    domain = factories.make_product(org, "domain", name="example.com")
    mail = factories.make_product(org, "mail_service", name="mail.example.com")
    domain.linked.add(mail)
    member = factories.add_member(org, role=Role.COLLABORATOR)
    factories.grant(domain, member, AccessLevel.USE)
    factories.grant(domain, factories.make_team(org, name="Support"), AccessLevel.MANAGE)

    response = admin_client.get(detail_url(domain))

    assert response.status_code == 200
    page = response.content.decode()
    assert domain.service_ref in page
    assert "mail.example.com" in page
    assert member.email in page
    assert "Support" in page
    assert reverse("products:revoke", args=[org.id, domain.id, domain.accesses.first().id]) in page
    assert reverse("products:grant", args=[org.id, domain.id]) in page


def test_the_manage_menu_offers_the_transfer_to_admins(admin_client, org):
    product = factories.make_product(org, "web_hosting")

    page = admin_client.get(detail_url(product)).content.decode()

    assert '<details class="menu">' in page
    assert "Transfer to another Organization" in page
    assert f'href="{reverse("transfers:start", args=[org.id])}?product={product.id}"' in page


@pytest.mark.parametrize(
    ("type", "status", "reason"),
    [
        ("ksuite", ProductStatus.ACTIVE, KSUITE_REFUSAL),
        ("my_ksuite", ProductStatus.ACTIVE, KSUITE_REFUSAL),
        ("jelastic_cloud", ProductStatus.ACTIVE, JELASTIC_REFUSAL),
        ("domain", ProductStatus.SUSPENDED, INELIGIBLE_STATUS[ProductStatus.SUSPENDED]),
        ("domain", ProductStatus.EXPIRED, INELIGIBLE_STATUS[ProductStatus.EXPIRED]),
    ],
)
def test_the_transfer_entry_is_disabled_with_its_reason(admin_client, org, type, status, reason):
    from django.utils.html import escape

    product = factories.make_product(org, type, status=status)

    page = admin_client.get(detail_url(product)).content.decode()

    assert "Transfer to another Organization" in page
    assert f"?product={product.id}" not in page
    assert 'aria-disabled="true"' in page
    assert escape(str(reason)) in page


def test_a_product_in_a_pending_transfer_says_so(admin_client, owner, org):
    product = factories.make_product(org)
    transfer = factories.make_pending_transfer(org, owner, product)

    page = admin_client.get(detail_url(product)).content.decode()

    assert str(IN_PENDING_TRANSFER) in page
    assert f"?product={product.id}" not in page
    assert reverse("transfers:detail", args=[org.id, transfer.id]) in page


def test_a_collaborator_sees_a_shared_product_without_admin_controls(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    product = factories.make_product(org)
    factories.grant(product, collaborator, AccessLevel.MANAGE)
    client.force_login(collaborator)

    response = client.get(detail_url(product))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Transfer to another Organization" not in page
    assert reverse("products:grant", args=[org.id, product.id]) not in page
    assert "/revoke/" not in page


def test_a_collaborator_gets_404_for_a_product_not_shared_with_them(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    client.force_login(collaborator)
    assert client.get(detail_url(factories.make_product(org))).status_code == 404


def test_the_dashboard_makes_constant_queries(admin_client, org, django_assert_num_queries):
    product = factories.make_product(org)
    for _ in range(5):
        factories.grant(product, factories.add_member(org, role=Role.COLLABORATOR))
        product.linked.add(factories.make_product(org))
    factories.grant(product, factories.make_team(org))
    admin_client.get(detail_url(product))

    # session, user, membership x2, product, accesses, linked, their pending transfers, candidates
    # (members, teams), sidebar x2
    with django_assert_num_queries(12):
        assert admin_client.get(detail_url(product)).status_code == 200


# Granting and revoking from the dashboard


def test_an_admin_grants_a_right_to_a_member(admin_client, org):
    product = factories.make_product(org)
    member = factories.add_member(org, role=Role.COLLABORATOR)

    response = admin_client.post(
        reverse("products:grant", args=[org.id, product.id]), {"who": f"user:{member.id}", "level": "use"}
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(product)
    access = ProductAccess.objects.get()
    assert (access.user, access.level) == (member, "use")
    assert AuditEvent.objects.filter(action=AuditAction.PRODUCT_ACCESS_GRANTED).count() == 1


def test_an_admin_grants_a_right_to_a_team(admin_client, org):
    product = factories.make_product(org)
    team = factories.make_team(org)

    admin_client.post(
        reverse("products:grant", args=[org.id, product.id]), {"who": f"team:{team.id}", "level": "manage"}
    )

    access = ProductAccess.objects.get()
    assert (access.team, access.level) == (team, "manage")


def test_granting_to_someone_outside_the_organization_is_refused(admin_client, org, owner):
    product = factories.make_product(org)
    outsider_team = factories.make_team(factories.make_org(owner=owner))

    response = admin_client.post(
        reverse("products:grant", args=[org.id, product.id]),
        {"who": f"team:{outsider_team.id}", "level": "use"},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ProductAccess.objects.exists()


def test_a_collaborator_cannot_grant(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    product = factories.make_product(org)
    factories.grant(product, collaborator, AccessLevel.MANAGE)
    client.force_login(collaborator)

    response = client.post(
        reverse("products:grant", args=[org.id, product.id]),
        {"who": f"user:{collaborator.id}", "level": "manage"},
    )

    assert response.status_code == 403
    assert ProductAccess.objects.get().level == "manage"
    assert not AuditEvent.objects.exists()


def test_an_admin_revokes_a_right(admin_client, org):
    product = factories.make_product(org)
    access = factories.grant(product, factories.add_member(org, role=Role.COLLABORATOR))

    response = admin_client.post(reverse("products:revoke", args=[org.id, product.id, access.id]))

    assert response.status_code == 302
    assert not ProductAccess.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.PRODUCT_ACCESS_REVOKED).count() == 1


def test_revoking_an_access_of_another_product_answers_404(admin_client, org):
    product = factories.make_product(org)
    other = factories.make_product(org)
    access = factories.grant(other, factories.add_member(org, role=Role.COLLABORATOR))

    response = admin_client.post(reverse("products:revoke", args=[org.id, product.id, access.id]))

    assert response.status_code == 404
    assert ProductAccess.objects.exists()


def test_grant_and_revoke_refuse_get(admin_client, org):
    product = factories.make_product(org)
    assert admin_client.get(reverse("products:grant", args=[org.id, product.id])).status_code == 405


# Tenancy: another Organization's pages and objects answer 404


def test_every_product_page_answers_404_to_a_member_of_another_organization(client, org):
    product = factories.make_product(org)
    access = factories.grant(product, factories.add_member(org, role=Role.COLLABORATOR))
    stranger = factories.make_user()
    factories.make_org(owner=stranger)
    client.force_login(stranger)

    assert client.get(list_url(org)).status_code == 404
    assert client.get(detail_url(product)).status_code == 404
    assert client.post(reverse("products:grant", args=[org.id, product.id]), {}).status_code == 404
    assert client.post(reverse("products:revoke", args=[org.id, product.id, access.id])).status_code == 404
    assert ProductAccess.objects.count() == 1


def test_a_product_of_another_organization_answers_404_under_mine(admin_client, owner, org):
    elsewhere = factories.make_product(factories.make_org(owner=owner))
    url = reverse("products:detail", args=[org.id, elsewhere.id])
    assert admin_client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.get(list_url(org))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_linked_product_in_a_pending_transfer_shows_the_badge_with_its_link(admin_client, owner, org):
    domain = factories.make_product(org, "domain")
    mail = factories.make_product(org, "mail_service", name="mail.example")
    domain.linked.add(mail)
    transfer = factories.make_pending_transfer(org, owner, mail)

    page = admin_client.get(detail_url(domain)).content.decode()

    assert f'href="{reverse("transfers:detail", args=[org.id, transfer.id])}">In a pending transfer' in page
