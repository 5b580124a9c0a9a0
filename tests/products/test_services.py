"""Product services: who may change products and their access, and what each change records."""

import pytest

from handover.audit.models import AuditAction, AuditEvent
from handover.errors import InvalidInput, NotFound, PermissionDenied
from handover.organizations.errors import NotAMember
from handover.organizations.models import Role
from handover.products.errors import (
    AccessTargetRequired,
    CannotLinkToItself,
    UnknownProductType,
)
from handover.products.models import AccessLevel, Product, ProductAccess, ProductStatus
from handover.products.services import (
    create_product,
    create_products,
    grant_access,
    link_products,
    revoke_access,
    set_product_status,
    unlink_products,
)
from tests.support import factories

pytestmark = pytest.mark.django_db


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# create_product / create_products


def test_an_admin_creates_a_product_with_a_generated_service_reference(owner, org):
    product = create_product(actor=owner, organization=org, type="domain", name=" example.com ")

    assert product.organization == org
    assert product.name == "example.com"
    assert product.status == ProductStatus.ACTIVE
    assert product.service_ref
    [event] = events(AuditAction.PRODUCT_CREATED)
    assert (event.organization, event.actor, event.target_id) == (org, owner, str(product.id))
    assert event.details == {"type": "domain", "status": "active"}


def test_create_product_keeps_a_given_service_reference_and_renewal_date(owner, org):
    import datetime

    product = create_product(
        actor=owner,
        organization=org,
        type="vps",
        name="vps-1",
        service_ref="vps-42",
        renews_on=datetime.date(2027, 1, 31),
        status=ProductStatus.SUSPENDED,
    )
    product.refresh_from_db()
    assert (product.service_ref, product.renews_on, product.status) == (
        "vps-42",
        datetime.date(2027, 1, 31),
        "suspended",
    )


def test_create_product_refuses_an_unknown_type_and_lists_the_valid_ones(owner, org):
    with pytest.raises(UnknownProductType) as caught:
        create_product(actor=owner, organization=org, type="toaster", name="x")

    assert "toaster" in caught.value.detail
    assert "web_hosting" in caught.value.detail
    assert "jelastic_cloud" in caught.value.detail
    assert caught.value.status == 400
    assert not Product.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("name", "  "), ("name", "x" * 256), ("status", "deleted"), ("service_ref", "")]
)
def test_create_product_refuses_bad_input(owner, org, field, value):
    arguments = {"type": "domain", "name": "example.com", field: value}
    with pytest.raises(InvalidInput):
        create_product(actor=owner, organization=org, **arguments)
    assert not Product.objects.exists()


def test_create_product_refuses_a_service_reference_already_in_use(owner, org):
    create_product(actor=owner, organization=org, type="domain", name="a.example", service_ref="ref-1")
    with pytest.raises(InvalidInput):
        create_product(actor=owner, organization=org, type="domain", name="b.example", service_ref="ref-1")
    assert Product.objects.count() == 1


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.LEGAL_REPRESENTATIVE])
def test_admins_may_create_products(org, role):
    admin = factories.add_member(org, role=role)
    assert create_product(actor=admin, organization=org, type="backup", name="b").organization == org


def test_a_collaborator_may_not_create_a_product(org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    with pytest.raises(PermissionDenied):
        create_product(actor=collaborator, organization=org, type="domain", name="example.com")
    assert not Product.objects.exists()


def test_a_stranger_gets_not_found_when_creating_a_product(org):
    stranger = factories.make_user()
    with pytest.raises(NotFound):
        create_product(actor=stranger, organization=org, type="domain", name="example.com")


def test_an_operator_without_actor_creates_products_and_the_event_has_no_actor(org):
    product = create_product(actor=None, organization=org, type="domain", name="example.com")
    [event] = events(AuditAction.PRODUCT_CREATED)
    assert event.actor is None
    assert event.target_id == str(product.id)


def test_create_products_makes_n_numbered_products_in_constant_queries(
    owner, org, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        products = create_products(actor=owner, organization=org, type="domain", name="shop", count=120)

    assert [p.name for p in products[:3]] == ["shop-1", "shop-2", "shop-3"]
    assert products[-1].name == "shop-120"
    assert Product.objects.filter(organization=org, type="domain").count() == 120
    assert len({p.service_ref for p in products}) == 120
    assert AuditEvent.objects.filter(action=AuditAction.PRODUCT_CREATED).count() == 120


@pytest.mark.parametrize("count", [0, -1, 10_001])
def test_create_products_refuses_a_count_out_of_range(owner, org, count):
    with pytest.raises(InvalidInput):
        create_products(actor=owner, organization=org, type="domain", name="shop", count=count)
    assert not Product.objects.exists()


def test_create_products_checks_the_role_and_the_type(org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    with pytest.raises(PermissionDenied):
        create_products(actor=collaborator, organization=org, type="domain", name="s", count=2)
    with pytest.raises(UnknownProductType):
        create_products(actor=None, organization=org, type="nope", name="s", count=2)
    assert not Product.objects.exists()


# set_product_status


def test_set_product_status_changes_it_and_records_from_and_to(owner, org):
    product = factories.make_product(org)
    set_product_status(actor=owner, product=product, status=ProductStatus.SUSPENDED)

    product.refresh_from_db()
    assert product.status == "suspended"
    [event] = events(AuditAction.PRODUCT_STATUS_CHANGED)
    assert event.details == {"from": "active", "to": "suspended"}


def test_set_product_status_to_the_same_status_records_nothing(owner, org):
    product = factories.make_product(org)
    set_product_status(actor=owner, product=product, status=ProductStatus.ACTIVE)
    assert not events(AuditAction.PRODUCT_STATUS_CHANGED)


def test_set_product_status_refuses_unknown_statuses_and_collaborators(org):
    product = factories.make_product(org)
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    with pytest.raises(InvalidInput):
        set_product_status(actor=None, product=product, status="gone")
    with pytest.raises(PermissionDenied):
        set_product_status(actor=collaborator, product=product, status=ProductStatus.EXPIRED)
    product.refresh_from_db()
    assert product.status == "active"


# link_products / unlink_products


def test_linking_is_symmetric_and_audited_once(owner, org):
    domain = factories.make_product(org, "domain")
    mail = factories.make_product(org, "mail_service")

    link_products(actor=owner, product=domain, other=mail)
    link_products(actor=owner, product=mail, other=domain)  # already linked: nothing new

    assert list(mail.linked.all()) == [domain]
    assert list(domain.linked.all()) == [mail]
    [event] = events(AuditAction.PRODUCT_LINKED)
    assert event.details == {"other_id": str(mail.id), "other_name": mail.name}


def test_unlinking_removes_both_directions(owner, org):
    domain = factories.make_product(org, "domain")
    mail = factories.make_product(org, "mail_service")
    link_products(actor=owner, product=domain, other=mail)

    unlink_products(actor=owner, product=mail, other=domain)
    unlink_products(actor=owner, product=mail, other=domain)

    assert not domain.linked.exists()
    assert not mail.linked.exists()
    assert len(events(AuditAction.PRODUCT_UNLINKED)) == 1


def test_a_product_cannot_be_linked_to_itself(owner, org):
    domain = factories.make_product(org, "domain")
    with pytest.raises(CannotLinkToItself):
        link_products(actor=owner, product=domain, other=domain)


def test_a_product_of_another_organization_cannot_be_linked(owner, org):
    domain = factories.make_product(org, "domain")
    elsewhere = factories.make_product(factories.make_org(owner=owner), "mail_service")
    with pytest.raises(NotFound):
        link_products(actor=owner, product=domain, other=elsewhere)
    assert not domain.linked.exists()


def test_a_collaborator_cannot_link(org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    a, b = factories.make_product(org), factories.make_product(org)
    with pytest.raises(PermissionDenied):
        link_products(actor=collaborator, product=a, other=b)
    with pytest.raises(PermissionDenied):
        unlink_products(actor=collaborator, product=a, other=b)


# grant_access / revoke_access


def test_grant_access_to_a_member(owner, org):
    product = factories.make_product(org)
    member = factories.add_member(org, role=Role.COLLABORATOR)

    access = grant_access(actor=owner, product=product, level=AccessLevel.USE, user=member)

    assert (access.product, access.user, access.team, access.level) == (product, member, None, "use")
    [event] = events(AuditAction.PRODUCT_ACCESS_GRANTED)
    assert event.target_id == str(product.id)
    assert event.details == {"user": member.email, "level": "use"}


def test_grant_access_to_a_team(owner, org):
    product = factories.make_product(org)
    team = factories.make_team(org, name="Support")

    access = grant_access(actor=owner, product=product, level=AccessLevel.MANAGE, team=team)

    assert (access.team, access.user, access.level) == (team, None, "manage")
    [event] = events(AuditAction.PRODUCT_ACCESS_GRANTED)
    assert event.details == {"team": "Support", "level": "manage"}


def test_granting_again_updates_the_level_of_the_existing_row(owner, org):
    product = factories.make_product(org)
    member = factories.add_member(org, role=Role.COLLABORATOR)
    first = grant_access(actor=owner, product=product, level=AccessLevel.USE, user=member)

    second = grant_access(actor=owner, product=product, level=AccessLevel.MANAGE, user=member)
    grant_access(actor=owner, product=product, level=AccessLevel.MANAGE, user=member)  # no change

    assert second.id == first.id
    assert ProductAccess.objects.get().level == "manage"
    granted = AuditEvent.objects.filter(action=AuditAction.PRODUCT_ACCESS_GRANTED).order_by("created_at")
    assert [e.details for e in granted] == [
        {"user": member.email, "level": "use"},
        {"user": member.email, "level": "manage", "previous_level": "use"},
    ]


def test_grant_access_refuses_a_user_who_is_not_a_member(owner, org):
    product = factories.make_product(org)
    with pytest.raises(NotAMember):
        grant_access(actor=owner, product=product, level=AccessLevel.USE, user=factories.make_user())
    assert not ProductAccess.objects.exists()


def test_grant_access_answers_not_found_for_a_team_of_another_organization(owner, org):
    product = factories.make_product(org)
    team = factories.make_team(factories.make_org(owner=owner))
    with pytest.raises(NotFound):
        grant_access(actor=owner, product=product, level=AccessLevel.USE, team=team)
    assert not ProductAccess.objects.exists()


@pytest.mark.parametrize("both", [True, False])
def test_grant_access_needs_exactly_one_of_user_and_team(owner, org, both):
    product = factories.make_product(org)
    who = {"user": owner, "team": factories.make_team(org)} if both else {}
    with pytest.raises(AccessTargetRequired):
        grant_access(actor=owner, product=product, level=AccessLevel.USE, **who)


def test_grant_access_refuses_an_unknown_level(owner, org):
    product = factories.make_product(org)
    with pytest.raises(InvalidInput):
        grant_access(actor=owner, product=product, level="admin", user=owner)
    assert not ProductAccess.objects.exists()


def test_a_collaborator_with_manage_access_still_cannot_grant(org):
    product = factories.make_product(org)
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    factories.grant(product, collaborator, AccessLevel.MANAGE)
    with pytest.raises(PermissionDenied):
        grant_access(actor=collaborator, product=product, level=AccessLevel.USE, user=collaborator)


def test_an_admin_of_another_organization_gets_not_found(org):
    product = factories.make_product(org)
    other_admin = factories.make_user()
    factories.make_org(owner=other_admin)
    with pytest.raises(NotFound):
        grant_access(actor=other_admin, product=product, level=AccessLevel.USE, user=other_admin)


def test_revoke_access_deletes_the_row_and_records_it(owner, org):
    product = factories.make_product(org)
    member = factories.add_member(org, role=Role.COLLABORATOR)
    access = factories.grant(product, member, AccessLevel.USE)

    revoke_access(actor=owner, access=access)

    assert not ProductAccess.objects.exists()
    [event] = events(AuditAction.PRODUCT_ACCESS_REVOKED)
    assert event.target_id == str(product.id)
    assert event.details == {"user": member.email, "level": "use"}


def test_revoke_access_is_for_admins_only(org):
    product = factories.make_product(org)
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    access = factories.grant(product, collaborator, AccessLevel.MANAGE)
    with pytest.raises(PermissionDenied):
        revoke_access(actor=collaborator, access=access)
    assert ProductAccess.objects.exists()
