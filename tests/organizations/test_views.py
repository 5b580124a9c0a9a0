"""The members, teams and settings pages of an Organization, and creating one."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.errors import LastLegalRepresentative, LegalRepresentativeRequired
from handover.organizations.models import Membership, Organization, Role, Team
from handover.products.models import ProductAccess
from tests.support import factories

LR, ADMIN, COLLAB = Role.LEGAL_REPRESENTATIVE, Role.ADMINISTRATOR, Role.COLLABORATOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_of(org):
    """A signed-in client for a new member of `org` with the given role, who just typed their password
    (adding a member needs a recent sign-in)."""

    def sign_in(client, role):
        user = factories.add_member(org, role=role)
        client.force_login(user)
        assert (
            client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD}).status_code
            == 302
        )
        return user

    return sign_in


def every_route(org):
    """Every page and action of this app under an Organization, with the method it answers."""
    team = factories.make_team(org)
    member = factories.add_member(org, role=COLLAB)
    membership = Membership.objects.get(user=member, organization=org)
    return [
        ("GET", reverse("organizations:members", args=[org.id])),
        ("POST", reverse("organizations:member_add", args=[org.id])),
        ("POST", reverse("organizations:member_role", args=[org.id, membership.id])),
        ("POST", reverse("organizations:member_remove", args=[org.id, membership.id])),
        ("POST", reverse("organizations:leave", args=[org.id])),
        ("GET", reverse("organizations:teams", args=[org.id])),
        ("POST", reverse("organizations:team_create", args=[org.id])),
        ("POST", reverse("organizations:team_delete", args=[org.id, team.id])),
        ("POST", reverse("organizations:team_member_add", args=[org.id, team.id])),
        ("POST", reverse("organizations:team_member_remove", args=[org.id, team.id, member.id])),
        ("GET", reverse("organizations:settings", args=[org.id])),
        ("POST", reverse("organizations:settings", args=[org.id])),
        ("POST", reverse("organizations:transfer_lock", args=[org.id])),
    ]


def test_every_route_of_an_organization_is_tested_here(org):
    from handover.organizations.urls import urlpatterns

    under_org = {str(p.pattern) for p in urlpatterns if str(p.pattern).startswith("o/")}
    assert len(under_org) == len({url for _method, url in every_route(org)})


def test_every_route_sends_anonymous_visitors_to_sign_in(client, org):
    for method, url in every_route(org):
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login"))


def test_every_route_answers_404_to_a_member_of_another_organization(client, org):
    stranger = factories.make_user()
    factories.make_org(owner=stranger)
    client.force_login(stranger)
    for method, url in every_route(org):
        response = client.get(url) if method == "GET" else client.post(url, {"name": "x", "role": ADMIN})
        assert response.status_code == 404, url
    assert Membership.objects.filter(organization=org).count() == 2
    assert Team.objects.count() == 1


def test_objects_of_another_organization_answer_404_under_mine(client, org, owner):
    other = factories.make_org(owner=factories.make_user())
    stranger = factories.add_member(other, role=COLLAB)
    their_membership = Membership.objects.get(user=stranger, organization=other)
    their_team = factories.make_team(other, stranger)
    client.force_login(owner)
    urls = [
        reverse("organizations:member_role", args=[org.id, their_membership.id]),
        reverse("organizations:member_remove", args=[org.id, their_membership.id]),
        reverse("organizations:team_delete", args=[org.id, their_team.id]),
        reverse("organizations:team_member_add", args=[org.id, their_team.id]),
        reverse("organizations:team_member_remove", args=[org.id, their_team.id, stranger.id]),
    ]
    for url in urls:
        assert client.post(url, {"role": ADMIN, "user": stranger.id}).status_code == 404, url
    assert Membership.objects.get(pk=their_membership.pk).role == COLLAB
    assert list(their_team.members.all()) == [stranger]


@pytest.mark.parametrize("role", [LR, ADMIN, COLLAB])
def test_every_member_sees_the_pages(client, org, member_of, role):
    member_of(client, role)
    for name in ("members", "teams", "settings"):
        response = client.get(reverse(f"organizations:{name}", args=[org.id]))
        assert response.status_code == 200
        assert f'aria-current="page">{name.capitalize()}' in response.content.decode()


def test_get_on_an_action_is_not_allowed(client, org, owner):
    client.force_login(owner)
    assert client.get(reverse("organizations:member_add", args=[org.id])).status_code == 405


# Creating an Organization -----------------------------------------------------------------------


def test_creating_an_organization_leads_to_its_products(client, owner):
    client.force_login(owner)
    assert client.get(reverse("organizations:create")).status_code == 200
    response = client.post(reverse("organizations:create"), {"name": "New SA", "country": "de"})
    organization = Organization.objects.get(name="New SA")
    assert response.status_code == 302
    assert response["Location"] == reverse("products:list", args=[organization.id])
    assert organization.country == "DE"
    assert Membership.objects.get(organization=organization).user == owner


@pytest.mark.parametrize(
    "data", [{"name": "", "country": "CH"}, {"name": "X", "country": "C1"}, {"name": "X"}]
)
def test_a_bad_organization_is_refused_with_a_400(client, owner, data):
    client.force_login(owner)
    response = client.post(reverse("organizations:create"), data)
    assert response.status_code == 400
    assert not Organization.objects.exists()
    assert 'class="errorlist' in response.content.decode()


def test_creating_requires_signing_in(client):
    response = client.get(reverse("organizations:create"))
    assert response.status_code == 302


# Members ----------------------------------------------------------------------------------------


def test_the_members_page_lists_members_with_their_roles(client, org, owner, member_of):
    collaborator = member_of(client, COLLAB)
    content = client.get(reverse("organizations:members", args=[org.id])).content.decode()
    assert owner.email in content
    assert collaborator.email in content
    assert "Legal representative" in content
    assert "Add a member" not in content  # collaborators do not manage members
    assert "Change the role" not in content


def test_an_admin_adds_a_member_with_product_access(client, org, member_of, run_tasks):
    member_of(client, ADMIN)
    product = factories.make_product(org)
    page = client.get(reverse("organizations:members", args=[org.id])).content.decode()
    assert "Add a member" in page
    assert product.name in page
    assert f'value="{LR}"' not in page.split("Add a member")[1]  # administrators cannot grant it

    response = client.post(
        reverse("organizations:member_add", args=[org.id]),
        {
            "email": "new@example.com",
            "name": "Nina",
            "role": COLLAB,
            "products": [product.id],
            "level": "use",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(organization=org, user__email="new@example.com")
    assert membership.role == COLLAB
    assert ProductAccess.objects.get(user=membership.user, product=product).level == "use"
    run_tasks()
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_an_administrator_cannot_add_a_legal_representative(client, org, member_of):
    member_of(client, ADMIN)
    response = client.post(
        reverse("organizations:member_add", args=[org.id]),
        {"email": "n@example.com", "role": LR, "level": "use"},
    )
    assert response.status_code == 403
    assert str(LegalRepresentativeRequired.message) in response.content.decode()
    assert not Membership.objects.filter(user__email="n@example.com").exists()


def test_adding_a_member_twice_shows_the_conflict(client, org, owner):
    client.force_login(owner)
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    response = client.post(
        reverse("organizations:member_add", args=[org.id]),
        {"email": owner.email, "role": ADMIN, "level": "use"},
    )
    assert response.status_code == 409
    assert "already a member" in response.content.decode()


def test_a_bad_member_form_is_refused_with_a_400(client, org, owner):
    client.force_login(owner)
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    other_product = factories.make_product(factories.make_org())
    for data in (
        {"email": "nope", "role": ADMIN, "level": "use"},
        {"email": "a@example.com", "role": "x", "level": "use"},
        {"email": "a@example.com", "role": ADMIN, "level": "use", "products": [other_product.id]},
    ):
        response = client.post(reverse("organizations:member_add", args=[org.id]), data)
        assert response.status_code == 400
    assert Membership.objects.filter(organization=org).count() == 1


def test_a_collaborator_cannot_add_members(client, org, member_of):
    member_of(client, COLLAB)
    response = client.post(
        reverse("organizations:member_add", args=[org.id]),
        {"email": "n@example.com", "role": COLLAB, "level": "use"},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user__email="n@example.com").exists()


def test_an_admin_changes_a_role_and_removes_a_member(client, org, member_of):
    member_of(client, ADMIN)
    target = factories.add_member(org, role=COLLAB)
    membership = Membership.objects.get(user=target, organization=org)
    response = client.post(
        reverse("organizations:member_role", args=[org.id, membership.id]), {"role": ADMIN}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == ADMIN
    response = client.post(reverse("organizations:member_remove", args=[org.id, membership.id]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_demoting_the_last_legal_representative_shows_why_and_changes_nothing(client, org, owner):
    client.force_login(owner)
    membership = Membership.objects.get(user=owner, organization=org)
    response = client.post(
        reverse("organizations:member_role", args=[org.id, membership.id]), {"role": ADMIN}
    )
    assert response.status_code == 422
    assert str(LastLegalRepresentative.message) in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == LR
    assert not AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_ROLE_CHANGED).exists()


def test_an_administrator_cannot_touch_a_legal_representative(client, org, owner, member_of):
    member_of(client, ADMIN)
    membership = Membership.objects.get(user=owner, organization=org)
    page = client.get(reverse("organizations:members", args=[org.id])).content.decode()
    assert reverse("organizations:member_remove", args=[org.id, membership.id]) not in page
    assert (
        client.post(
            reverse("organizations:member_role", args=[org.id, membership.id]), {"role": COLLAB}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("organizations:member_remove", args=[org.id, membership.id])).status_code == 403
    )
    membership.refresh_from_db()
    assert membership.role == LR


def test_a_bad_role_is_refused_with_a_400(client, org, owner):
    client.force_login(owner)
    target = factories.add_member(org, role=COLLAB)
    membership = Membership.objects.get(user=target, organization=org)
    response = client.post(
        reverse("organizations:member_role", args=[org.id, membership.id]), {"role": "root"}
    )
    assert response.status_code == 400
    membership.refresh_from_db()
    assert membership.role == COLLAB


def test_a_member_leaves(client, org, member_of):
    user = member_of(client, COLLAB)
    response = client.post(reverse("organizations:leave", args=[org.id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert not Membership.objects.filter(user=user, organization=org).exists()


def test_the_last_legal_representative_cannot_leave(client, org, owner):
    client.force_login(owner)
    response = client.post(reverse("organizations:leave", args=[org.id]))
    assert response.status_code == 422
    assert Membership.objects.filter(user=owner, organization=org).exists()


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_members_page_makes_as_many_queries_for_50_members_as_for_5(
    client, org, owner, django_assert_max_num_queries
):
    client.force_login(owner)
    url = reverse("organizations:members", args=[org.id])
    for _ in range(4):
        factories.add_member(org, role=COLLAB)
    factories.make_products(org, 5)
    few = page_queries(client, url)
    for _ in range(45):
        factories.add_member(org, role=ADMIN)
    factories.make_products(org, 45)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.content.decode().count("Change the role") == 50
    assert few <= 12


def test_the_teams_page_makes_as_many_queries_for_50_members_as_for_5(
    client, org, owner, django_assert_max_num_queries
):
    client.force_login(owner)
    url = reverse("organizations:teams", args=[org.id])
    users = [factories.add_member(org, role=COLLAB) for _ in range(4)]
    factories.make_team(org, *users)
    few = page_queries(client, url)
    more = [factories.add_member(org, role=COLLAB) for _ in range(45)]
    for i in range(5):
        factories.make_team(org, *more[i * 9 : (i + 1) * 9])
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.content.decode().count("Remove from the team") == 49
    assert few <= 12


# Teams ------------------------------------------------------------------------------------------


def test_an_admin_manages_teams(client, org, member_of):
    admin = member_of(client, ADMIN)
    response = client.post(reverse("organizations:team_create", args=[org.id]), {"name": "Webmasters"})
    assert response.status_code == 302
    team = Team.objects.get(organization=org, name="Webmasters")
    response = client.post(
        reverse("organizations:team_member_add", args=[org.id, team.id]), {"user": admin.id}
    )
    assert response.status_code == 302
    assert list(team.members.all()) == [admin]
    page = client.get(reverse("organizations:teams", args=[org.id])).content.decode()
    assert "Webmasters" in page
    assert admin.email in page
    response = client.post(reverse("organizations:team_member_remove", args=[org.id, team.id, admin.id]))
    assert response.status_code == 302
    assert not team.members.exists()
    response = client.post(reverse("organizations:team_delete", args=[org.id, team.id]))
    assert response.status_code == 302
    assert not Team.objects.exists()


def test_a_duplicate_team_name_is_a_conflict(client, org, owner):
    client.force_login(owner)
    factories.make_team(org, name="Webmasters")
    response = client.post(reverse("organizations:team_create", args=[org.id]), {"name": "webmasters"})
    assert response.status_code == 409
    assert "already exists" in response.content.decode()
    assert Team.objects.count() == 1


def test_an_empty_team_name_is_refused(client, org, owner):
    client.force_login(owner)
    assert client.post(reverse("organizations:team_create", args=[org.id]), {"name": ""}).status_code == 400
    assert not Team.objects.exists()


def test_only_members_of_the_organization_can_be_put_in_its_teams(client, org, owner):
    client.force_login(owner)
    team = factories.make_team(org)
    outsider = factories.make_user()
    response = client.post(
        reverse("organizations:team_member_add", args=[org.id, team.id]), {"user": outsider.id}
    )
    assert response.status_code == 400
    assert not team.members.exists()


def test_a_collaborator_sees_teams_but_cannot_change_them(client, org, member_of):
    user = member_of(client, COLLAB)
    team = factories.make_team(org, user, name="Webmasters")
    page = client.get(reverse("organizations:teams", args=[org.id])).content.decode()
    assert "Webmasters" in page
    assert "Create a team" not in page
    assert (
        client.post(reverse("organizations:team_create", args=[org.id]), {"name": "Mine"}).status_code == 403
    )
    assert client.post(reverse("organizations:team_delete", args=[org.id, team.id])).status_code == 403
    assert Team.objects.count() == 1


# Settings ---------------------------------------------------------------------------------------


def test_an_admin_renames_the_organization(client, org, member_of):
    member_of(client, ADMIN)
    response = client.post(reverse("organizations:settings", args=[org.id]), {"name": "Renamed"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Renamed"


def test_a_collaborator_cannot_rename(client, org, member_of):
    member_of(client, COLLAB)
    page = client.get(reverse("organizations:settings", args=[org.id])).content.decode()
    assert "Rename the Organization" not in page
    assert client.post(reverse("organizations:settings", args=[org.id]), {"name": "Mine"}).status_code == 403
    org.refresh_from_db()
    assert org.name == "Source SA"


def test_an_empty_name_is_refused(client, org, owner):
    client.force_login(owner)
    assert client.post(reverse("organizations:settings", args=[org.id]), {"name": ""}).status_code == 400


def test_a_legal_representative_locks_and_unlocks_outgoing_transfers(client, org, owner):
    client.force_login(owner)
    url = reverse("organizations:transfer_lock", args=[org.id])
    assert (
        "Lock outgoing transfers"
        in client.get(reverse("organizations:settings", args=[org.id])).content.decode()
    )
    assert client.post(url, {"locked": "1"}).status_code == 302
    org.refresh_from_db()
    assert org.transfers_locked
    assert "Lift the lock" in client.get(reverse("organizations:settings", args=[org.id])).content.decode()
    assert client.post(url, {"locked": "0"}).status_code == 302
    org.refresh_from_db()
    assert not org.transfers_locked
    assert client.post(url, {"locked": "maybe"}).status_code == 400


def test_an_administrator_cannot_lock_outgoing_transfers(client, org, member_of):
    member_of(client, ADMIN)
    page = client.get(reverse("organizations:settings", args=[org.id])).content.decode()
    assert "Lock outgoing transfers" not in page
    response = client.post(reverse("organizations:transfer_lock", args=[org.id]), {"locked": "1"})
    assert response.status_code == 403
    org.refresh_from_db()
    assert not org.transfers_locked
