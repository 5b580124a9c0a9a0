"""Which products each member sees, and how they are filtered."""

import uuid

import pytest

from handover.errors import NotFound
from handover.organizations.models import Role
from handover.products.errors import UnknownProductType
from handover.products.filters import ProductFilter
from handover.products.models import AccessLevel, ProductStatus
from handover.products.selectors import (
    product_get_visible,
    products_visible_to,
)
from tests.support import factories

pytestmark = pytest.mark.django_db


def filtered(owner, org, **filters) -> list[str]:
    """The names of the products `owner` sees in `org` with these query parameters."""
    return names(products_visible_to(user=owner, organization=org, filters=ProductFilter(filters)))


def names(queryset) -> list[str]:
    return [p.name for p in queryset]


def test_admins_see_every_product_of_the_organization_only(owner, org):
    factories.make_product(org, name="b.example")
    factories.make_product(org, name="a.example")
    factories.make_product(factories.make_org(owner=owner), name="elsewhere.example")
    administrator = factories.add_member(org, role=Role.ADMINISTRATOR)

    assert names(products_visible_to(user=owner, organization=org)) == ["a.example", "b.example"]
    assert names(products_visible_to(user=administrator, organization=org)) == ["a.example", "b.example"]


def test_a_collaborator_sees_products_granted_to_them_or_to_their_teams(org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    direct = factories.make_product(org, name="direct.example")
    through_team = factories.make_product(org, name="team.example")
    both = factories.make_product(org, name="both.example")
    factories.make_product(org, name="hidden.example")
    other_team = factories.make_team(org, name="Others")
    factories.grant(factories.make_product(org, name="other-team.example"), other_team)
    team = factories.make_team(org, collaborator, name="Support")
    factories.grant(direct, collaborator, AccessLevel.USE)
    factories.grant(through_team, team, AccessLevel.MANAGE)
    factories.grant(both, collaborator)
    factories.grant(both, team)

    visible = products_visible_to(user=collaborator, organization=org)

    assert names(visible) == ["both.example", "direct.example", "team.example"]


def test_a_stranger_gets_not_found(org):
    with pytest.raises(NotFound):
        products_visible_to(user=factories.make_user(), organization=org)


def test_filters_by_type_status_and_name(owner, org):
    factories.make_product(org, "domain", name="shop.example")
    factories.make_product(org, "domain", name="blog.example", status=ProductStatus.EXPIRED)
    factories.make_product(org, "web_hosting", name="shop hosting")

    assert filtered(owner, org, type="domain") == [
        "blog.example",
        "shop.example",
    ]
    assert filtered(owner, org, status="expired") == ["blog.example"]
    assert filtered(owner, org, q="SHOP") == [
        "shop hosting",
        "shop.example",
    ]
    assert filtered(owner, org, q="  ") == [
        "blog.example",
        "shop hosting",
        "shop.example",
    ]


def test_an_unknown_type_filter_is_refused(owner, org):
    with pytest.raises(UnknownProductType):
        filtered(owner, org, type="toaster")


def test_transferable_means_a_transferable_type_and_an_active_product(owner, org):
    factories.make_product(org, "domain", name="ok.example")
    factories.make_product(org, "kdrive", name="drive")
    factories.make_product(org, "ksuite", name="suite")
    factories.make_product(org, "jelastic_cloud", name="jelastic")
    factories.make_product(org, "domain", name="suspended.example", status=ProductStatus.SUSPENDED)

    assert filtered(owner, org, transferable="yes") == [
        "drive",
        "ok.example",
    ]
    assert filtered(owner, org, transferable="no") == [
        "jelastic",
        "suite",
        "suspended.example",
    ]


def test_product_get_visible_prefetches_accesses_and_linked_products(owner, org, django_assert_num_queries):
    domain = factories.make_product(org, "domain", name="example.com")
    mail = factories.make_product(org, "mail_service", name="mail example.com")
    domain.linked.add(mail)
    member = factories.add_member(org, role=Role.COLLABORATOR)
    team = factories.make_team(org, name="Support")
    factories.grant(domain, member, AccessLevel.USE)
    factories.grant(domain, team, AccessLevel.MANAGE)

    product = product_get_visible(user=owner, organization=org, product_id=domain.id)
    with django_assert_num_queries(0):
        accesses = [
            (a.user and a.user.email, a.team and a.team.name, a.level) for a in product.accesses.all()
        ]
        linked = [p.name for p in product.linked.all()]

    assert sorted(accesses, key=str) == sorted(
        [(member.email, None, "use"), (None, "Support", "manage")], key=str
    )
    assert linked == ["mail example.com"]


def test_product_get_visible_hides_what_the_user_may_not_see(owner, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    product = factories.make_product(org)
    elsewhere = factories.make_product(factories.make_org(owner=owner))

    with pytest.raises(NotFound):
        product_get_visible(user=collaborator, organization=org, product_id=product.id)
    with pytest.raises(NotFound):
        product_get_visible(user=owner, organization=org, product_id=elsewhere.id)
    with pytest.raises(NotFound):
        product_get_visible(user=owner, organization=org, product_id=uuid.uuid4())
    with pytest.raises(NotFound):
        product_get_visible(user=owner, organization=org, product_id="not-a-uuid")


def test_linked_products_of_another_organization_or_hidden_ones_are_not_shown(owner, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    domain = factories.make_product(org, "domain", name="example.com")
    hidden_mail = factories.make_product(org, "mail_service", name="mail")
    moved_away = factories.make_product(factories.make_org(owner=owner), "web_hosting", name="hosting")
    domain.linked.add(hidden_mail, moved_away)
    factories.grant(domain, collaborator, AccessLevel.USE)

    as_owner = product_get_visible(user=owner, organization=org, product_id=domain.id)
    as_collaborator = product_get_visible(user=collaborator, organization=org, product_id=domain.id)

    assert names(as_owner.linked.all()) == ["mail"]
    assert names(as_collaborator.linked.all()) == []
