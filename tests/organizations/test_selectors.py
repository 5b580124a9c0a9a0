"""Reads of members and teams: their order, their scope, and a query count that does not grow."""

import uuid

import pytest

from handover.errors import NotFound
from handover.organizations import access, selectors
from handover.organizations.errors import AmbiguousOrganization, OrganizationNotFound
from handover.organizations.models import Membership, Role
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_members_come_legal_representatives_first_with_their_users_in_one_query(
    org, owner, django_assert_num_queries
):
    collaborator = factories.add_member(org, factories.make_user(name="Aaron"), role=Role.COLLABORATOR)
    admin = factories.add_member(org, factories.make_user(name="Zoe"), role=Role.ADMINISTRATOR)
    for _ in range(20):
        factories.add_member(org, role=Role.COLLABORATOR)
    factories.add_member(factories.make_org(), role=Role.ADMINISTRATOR)  # another Organization's
    with django_assert_num_queries(1):
        members = list(selectors.members_of_organization(organization=org))
        emails = [m.user.email for m in members]
    assert len(members) == 23
    assert emails[:3] == [owner.email, admin.email, collaborator.email]


def test_teams_come_with_member_counts_and_members_in_two_queries(org, owner, django_assert_num_queries):
    users = [factories.add_member(org, role=Role.COLLABORATOR) for _ in range(12)]
    for i in range(4):
        factories.make_team(org, *users[i * 3 : i * 3 + 3], name=f"Team {i}")
    factories.make_team(factories.make_org(), name="Elsewhere")
    with django_assert_num_queries(2):
        teams = list(selectors.teams_of_organization(organization=org))
        counts = [(team.name, team.member_count, len(team.members.all())) for team in teams]
    assert counts == [(f"Team {i}", 3, 3) for i in range(4)]


def test_organizations_for_a_user_carry_their_role(org, owner, django_assert_num_queries):
    other = factories.make_org("Another")
    factories.add_member(other, owner, role=Role.COLLABORATOR)
    factories.make_org("Not mine", owner=factories.make_user())
    with django_assert_num_queries(1):
        mine = [(o.name, o.role) for o in selectors.organizations_for_user(user=owner)]
    assert mine == [("Another", "collaborator"), ("Source SA", "legal_representative")]


def test_objects_are_found_only_in_their_organization(org, owner):
    other = factories.make_org(owner=factories.make_user())
    stranger = factories.add_member(other, role=Role.COLLABORATOR)
    team = factories.make_team(other)
    membership = Membership.objects.get(user=stranger)
    for lookup in (
        lambda: selectors.membership_get(organization=org, membership_id=membership.id),
        lambda: selectors.membership_get(organization=org, membership_id="not-a-uuid"),
        lambda: selectors.team_get(organization=org, team_id=team.id),
        lambda: selectors.member_get(organization=org, user_id=stranger.id),
        lambda: access.require_member(user=stranger, organization=org.id),
    ):
        with pytest.raises(NotFound):
            lookup()
    assert selectors.member_get(organization=other, user_id=stranger.id) == stranger


def test_organization_get_by_ref_takes_an_id_or_an_exact_name(org):
    assert selectors.organization_get_by_ref(ref=str(org.id)) == org
    assert selectors.organization_get_by_ref(ref="Source SA") == org
    with pytest.raises(OrganizationNotFound):
        selectors.organization_get_by_ref(ref="source sa")
    with pytest.raises(OrganizationNotFound):
        selectors.organization_get_by_ref(ref=str(uuid.uuid4()))


def test_organization_get_by_ref_refuses_an_ambiguous_name(org):
    factories.make_org("Source SA")
    with pytest.raises(AmbiguousOrganization):
        selectors.organization_get_by_ref(ref="Source SA")
