"""Who may do what: the permissions of each role, and how `access` answers each kind of person."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from handover.errors import NotFound, PermissionDenied
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.errors import LegalRepresentativeRequired
from handover.organizations.models import Membership, Role
from handover.products.models import AccessLevel, Product
from tests.support import factories

pytestmark = pytest.mark.django_db

LR, ADMIN, COLLAB = Role.LEGAL_REPRESENTATIVE, Role.ADMINISTRATOR, Role.COLLABORATOR

# SPEC §1, as a table: the roles holding each permission.
EXPECTED = {
    Permission.VIEW_ALL_PRODUCTS: {LR, ADMIN},
    Permission.MANAGE_PRODUCTS: {LR, ADMIN},
    Permission.MANAGE_ORGANIZATION: {LR, ADMIN},
    Permission.MANAGE_MEMBERS: {LR, ADMIN},
    Permission.MANAGE_LEGAL_REPRESENTATIVES: {LR},
    Permission.MANAGE_TEAMS: {LR, ADMIN},
    Permission.LOCK_TRANSFERS: {LR},
    Permission.MANAGE_TRANSFERS: {LR, ADMIN},
    Permission.VIEW_INVOICES: {LR, ADMIN},
    Permission.VIEW_AUDIT_LOG: {LR, ADMIN},
    Permission.MANAGE_WEBHOOKS: {LR, ADMIN},
}


def test_each_permission_is_held_by_the_roles_of_the_specification():
    assert {permission: set(access.roles_with(permission)) for permission in Permission} == EXPECTED


@pytest.fixture
def people(org, owner):
    return {
        LR: owner,
        ADMIN: factories.add_member(org, role=ADMIN),
        COLLAB: factories.add_member(org, role=COLLAB),
        "stranger": factories.make_user(),
    }


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("who", [LR, ADMIN, COLLAB, "stranger"])
def test_require_answers_each_person_as_the_table_says(org, people, who, permission):
    user = people[who]
    if who == "stranger":
        with pytest.raises(NotFound):
            access.require(user=user, organization=org, permission=permission)
    elif who in EXPECTED[permission]:
        assert access.require(user=user, organization=org, permission=permission).user == user
    else:
        expected = LegalRepresentativeRequired if EXPECTED[permission] == {LR} else PermissionDenied
        with pytest.raises(expected):
            access.require(user=user, organization=org, permission=permission)


def test_the_membership_lookup_joins_the_organization_in_one_query(org, owner, django_assert_num_queries):
    with django_assert_num_queries(1):
        membership = access.require_member(user=owner, organization=org.id)
        assert membership.organization.name == org.name


@pytest.mark.parametrize("organization", ["not-a-uuid", uuid.uuid4(), None])
def test_unknown_or_malformed_organizations_are_not_found(owner, organization):
    with pytest.raises(NotFound):
        access.require_member(user=owner, organization=organization)


def test_an_anonymous_user_is_no_member_of_anything(org):
    with pytest.raises(NotFound):
        access.require_member(user=AnonymousUser(), organization=org)


def test_a_trusted_operator_may_do_anything_and_a_person_only_what_their_role_allows(org, people):
    access.authorize(None, org, Permission.LOCK_TRANSFERS)
    access.authorize(people[LR], org, Permission.LOCK_TRANSFERS)
    with pytest.raises(LegalRepresentativeRequired):
        access.authorize(people[ADMIN], org, Permission.LOCK_TRANSFERS)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([None, None], NotFound),
        ([COLLAB, None], PermissionDenied),
        ([None, COLLAB], PermissionDenied),
        ([COLLAB, ADMIN], None),
        ([LR, None], None),
    ],
)
def test_an_object_of_two_organizations_is_seen_by_one_who_may_in_either(roles, expected):
    if expected is None:
        access.require_in_either(roles, Permission.MANAGE_TRANSFERS)
    else:
        with pytest.raises(expected):
            access.require_in_either(roles, Permission.MANAGE_TRANSFERS)


def test_only_a_legal_representative_gives_or_touches_the_legal_representative_role(org, people):
    memberships = {who: Membership.objects.get(user=people[who], organization=org) for who in (LR, ADMIN)}
    assert access.grantable_roles(memberships[LR]) == [LR, ADMIN, COLLAB]
    assert access.grantable_roles(memberships[ADMIN]) == [ADMIN, COLLAB]
    assert access.may_manage_member(memberships[LR], memberships[LR])
    assert not access.may_manage_member(memberships[ADMIN], memberships[LR])
    assert access.may_manage_member(memberships[ADMIN], memberships[ADMIN])
    assert access.permission_to_manage(ADMIN, LR) == Permission.MANAGE_LEGAL_REPRESENTATIVES
    assert access.permission_to_manage(ADMIN, COLLAB) == Permission.MANAGE_MEMBERS


@pytest.mark.parametrize(
    ("previous", "new", "lost"),
    [
        (ADMIN, COLLAB, True),
        (LR, None, True),
        (LR, ADMIN, False),
        (ADMIN, LR, False),
        (COLLAB, None, False),
    ],
)
def test_losing_the_right_to_manage_transfers(previous, new, lost):
    assert access.loses_transfer_rights(previous, new) is lost


def test_a_collaborator_sees_the_products_granted_to_them_or_their_teams(org, people):
    mine = factories.make_product(org, name="mine")
    ours = factories.make_product(org, name="ours")
    factories.make_product(org, name="others")
    collaborator = people[COLLAB]
    factories.grant(mine, collaborator, AccessLevel.USE)
    factories.grant(ours, factories.make_team(org, collaborator))
    factories.grant(ours, collaborator, AccessLevel.USE)  # twice: still listed once
    membership = Membership.objects.get(user=collaborator, organization=org)
    other = factories.make_org(owner=factories.make_user())
    factories.make_product(other, name="elsewhere")

    def visible(m: Membership) -> list[str]:
        return sorted(Product.objects.filter(access.visible_products(m)).values_list("name", flat=True))

    assert visible(membership) == ["mine", "ours"]
    assert visible(Membership.objects.get(user=people[ADMIN], organization=org)) == ["mine", "others", "ours"]


def test_pages_get_each_permission_by_name(org, people):
    may = access.permissions_for_templates(Membership.objects.get(user=people[ADMIN], organization=org))
    assert may["manage_transfers"] and not may["lock_transfers"]
    assert not any(access.permissions_for_templates(None).values())
