"""Organizations, members and teams: who may change what, and what each change leaves behind."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from handover.accounts.errors import InvalidEmailAddress
from handover.accounts.models import User
from handover.audit.models import AuditAction, AuditEvent
from handover.errors import NotFound, PermissionDenied
from handover.organizations import services
from handover.organizations.errors import (
    AlreadyMember,
    InvalidCountry,
    InvalidName,
    LastLegalRepresentative,
    LegalRepresentativeRequired,
    NotAMember,
    TeamNameTaken,
    UnknownRole,
)
from handover.organizations.models import Membership, Organization, Role, Team
from handover.products.errors import UnknownAccessLevel
from handover.products.models import AccessLevel, ProductAccess
from handover.transfers.models import Transfer, TransferState
from tests.support import factories

LR, ADMIN, COLLAB = Role.LEGAL_REPRESENTATIVE, Role.ADMINISTRATOR, Role.COLLABORATOR

pytestmark = pytest.mark.django_db

# Who may give a role to a new member, or take a member with that role away: (actor's role, the
# role given or taken, allowed). Admins may; the legal representative role takes a legal representative.
GIVE_OR_TAKE_A_ROLE = [
    (LR, LR, True),
    (LR, ADMIN, True),
    (LR, COLLAB, True),
    (ADMIN, LR, False),
    (ADMIN, ADMIN, True),
    (ADMIN, COLLAB, True),
    (COLLAB, ADMIN, False),
    (COLLAB, COLLAB, False),
]


def events(organization, action):
    return list(AuditEvent.objects.filter(organization=organization, action=action))


def membership_of(user, organization):
    return Membership.objects.get(user=user, organization=organization)


def pending_transfer(organization, user):
    return Transfer.objects.create(
        source_organization=organization, created_by=user, expires_at=timezone.now() + timedelta(days=1)
    )


# Organizations ---------------------------------------------------------------------------------


def test_creating_an_organization_makes_the_creator_its_legal_representative(owner):
    organization = services.create_organization(actor=owner, name="  Acme   SA ", country="fr")
    assert organization.name == "Acme SA"
    assert organization.country == "FR"
    assert membership_of(owner, organization).role == LR
    [event] = events(organization, AuditAction.ORGANIZATION_CREATED)
    assert event.actor == owner


@pytest.mark.parametrize(
    ("name", "country", "error"),
    [
        ("", "CH", InvalidName),
        ("x" * 151, "CH", InvalidName),
        ("Acme", "Switzerland", InvalidCountry),
        ("Acme", "", InvalidCountry),
    ],
)
def test_creating_an_organization_refuses_bad_input(owner, name, country, error):
    with pytest.raises(error):
        services.create_organization(actor=owner, name=name, country=country)
    assert not Organization.objects.exists()


def test_an_admin_renames_the_organization(org, owner):
    admin = factories.add_member(org, role=ADMIN)
    services.rename_organization(actor=admin, organization=org, name="Renamed SA")
    org.refresh_from_db()
    assert org.name == "Renamed SA"
    [event] = events(org, AuditAction.ORGANIZATION_RENAMED)
    assert event.details == {"from": "Source SA", "to": "Renamed SA"}
    assert event.actor == admin


def test_a_collaborator_cannot_rename_and_an_outsider_gets_not_found(org):
    collaborator = factories.add_member(org, role=COLLAB)
    with pytest.raises(PermissionDenied):
        services.rename_organization(actor=collaborator, organization=org, name="X")
    with pytest.raises(NotFound):
        services.rename_organization(actor=factories.make_user(), organization=org, name="X")
    org.refresh_from_db()
    assert org.name == "Source SA"
    assert not events(org, AuditAction.ORGANIZATION_RENAMED)


def test_renaming_to_an_empty_name_is_refused(org, owner):
    with pytest.raises(InvalidName):
        services.rename_organization(actor=owner, organization=org, name="   ")
    org.refresh_from_db()
    assert org.name == "Source SA"


def test_only_a_legal_representative_sets_and_lifts_the_transfer_lock(org, owner):
    admin = factories.add_member(org, role=ADMIN)
    with pytest.raises(LegalRepresentativeRequired):
        services.set_transfer_lock(actor=admin, organization=org, locked=True)
    org.refresh_from_db()
    assert not org.transfers_locked

    services.set_transfer_lock(actor=owner, organization=org, locked=True)
    org.refresh_from_db()
    assert org.transfers_locked
    services.set_transfer_lock(actor=owner, organization=org, locked=True)  # already set: nothing new
    services.set_transfer_lock(actor=owner, organization=org, locked=False)
    org.refresh_from_db()
    assert not org.transfers_locked
    assert len(events(org, AuditAction.ORGANIZATION_TRANSFER_LOCK_SET)) == 1
    assert len(events(org, AuditAction.ORGANIZATION_TRANSFER_LOCK_LIFTED)) == 1


def test_an_operator_sets_the_transfer_lock_without_an_actor(org):
    services.set_transfer_lock(actor=None, organization=org, locked=True)
    [event] = events(org, AuditAction.ORGANIZATION_TRANSFER_LOCK_SET)
    assert event.actor is None


# Adding members ---------------------------------------------------------------------------------


def test_adding_an_unknown_person_creates_an_account_and_sends_an_invitation(org, owner, run_tasks):
    product = factories.make_product(org)
    membership = services.add_member(
        actor=owner,
        organization=org,
        email=" New@Example.com ",
        role=ADMIN,
        name="Nina New",
        products=[product],
        level=AccessLevel.MANAGE,
    )
    user = membership.user
    assert user.email == "new@example.com"
    assert user.name == "Nina New"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert membership.role == ADMIN
    assert ProductAccess.objects.get(user=user).level == AccessLevel.MANAGE
    [added] = events(org, AuditAction.MEMBERSHIP_ADDED)
    assert added.details == {"email": "new@example.com", "role": "administrator", "invited": True}
    [granted] = events(org, AuditAction.PRODUCT_ACCESS_GRANTED)
    assert granted.target_id == str(product.id)

    assert mail.outbox == []  # sent by the task queue, after the commit
    run_tasks()
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert "Source SA" in message.subject
    assert "Olivia Owner added you to the Organization Source SA as Administrator" in message.body
    assert "/accounts/password/reset/key/" in message.body
    assert "/accounts/password/reset/key/" in message.alternatives[0][0]


def test_the_invitation_link_lets_the_new_member_choose_a_password_and_sign_in(client, org, owner, run_tasks):
    services.add_member(actor=owner, organization=org, email="new@example.com", role=COLLAB)
    run_tasks()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line)
    path = link.split("127.0.0.1:8000", 1)[1].strip()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0]
    response = client.post(
        form_path, {"password1": "a fresh pass phrase", "password2": "a fresh pass phrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").check_password("a fresh pass phrase")
    assert client.login(email="new@example.com", password="a fresh pass phrase")


def test_adding_an_existing_user_notifies_them_without_a_password_link(org, owner, run_tasks):
    existing = factories.make_user("known@example.com", name="Kim Known")
    membership = services.add_member(actor=owner, organization=org, email="KNOWN@example.com", role=COLLAB)
    assert membership.user == existing
    assert User.objects.count() == 2
    run_tasks()
    [message] = mail.outbox
    assert message.to == ["known@example.com"]
    assert "password" not in message.body
    assert f"/o/{org.id}/" in message.body


def test_a_user_is_found_by_a_verified_secondary_address(org, owner):
    existing = factories.make_user("main@example.com")
    EmailAddress.objects.create(user=existing, email="other@example.com", verified=True)
    membership = services.add_member(actor=owner, organization=org, email="other@example.com", role=COLLAB)
    assert membership.user == existing


def test_adding_a_member_twice_is_a_conflict(org, owner):
    member = factories.add_member(org, role=COLLAB)
    with pytest.raises(AlreadyMember) as caught:
        services.add_member(actor=owner, organization=org, email=member.email, role=ADMIN)
    assert caught.value.code == "already_member"
    assert membership_of(member, org).role == COLLAB


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"email": "not an email", "role": COLLAB}, InvalidEmailAddress),
        ({"email": "a@example.com", "role": "owner"}, UnknownRole),
        ({"email": "a@example.com", "role": COLLAB, "level": "admin"}, UnknownAccessLevel),
    ],
)
def test_adding_a_member_refuses_bad_input_and_changes_nothing(org, owner, kwargs, error, run_tasks):
    with pytest.raises(error):
        services.add_member(actor=owner, organization=org, **kwargs)
    assert Membership.objects.filter(organization=org).count() == 1
    assert not User.objects.filter(email="a@example.com").exists()
    run_tasks()
    assert mail.outbox == []


def test_products_of_another_organization_cannot_be_granted(org, owner):
    other = factories.make_org(owner=factories.make_user())
    foreign = factories.make_product(other)
    with pytest.raises(NotFound):
        services.add_member(
            actor=owner, organization=org, email="a@example.com", role=COLLAB, products=[foreign]
        )
    assert not User.objects.filter(email="a@example.com").exists()
    assert not ProductAccess.objects.exists()


@pytest.mark.parametrize(
    ("actor_role", "new_role", "allowed"),
    GIVE_OR_TAKE_A_ROLE,
)
def test_who_may_add_a_member_with_which_role(org, actor_role, new_role, allowed):
    actor = factories.add_member(org, role=actor_role)
    if allowed:
        membership = services.add_member(actor=actor, organization=org, email="n@example.com", role=new_role)
        assert membership.role == new_role
    else:
        with pytest.raises(PermissionDenied):
            services.add_member(actor=actor, organization=org, email="n@example.com", role=new_role)
        assert not User.objects.filter(email="n@example.com").exists()


def test_an_outsider_cannot_add_members(org):
    with pytest.raises(NotFound):
        services.add_member(actor=factories.make_user(), organization=org, email="n@example.com", role=COLLAB)


def test_an_operator_adds_a_legal_representative(org):
    membership = services.add_member(actor=None, organization=org, email="n@example.com", role=LR)
    assert membership.role == LR
    assert events(org, AuditAction.MEMBERSHIP_ADDED)[0].actor is None


# Changing roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_role", "target_role", "new_role", "allowed"),
    [
        (LR, LR, ADMIN, True),
        (LR, LR, COLLAB, True),
        (LR, ADMIN, LR, True),
        (LR, ADMIN, COLLAB, True),
        (LR, COLLAB, LR, True),
        (LR, COLLAB, ADMIN, True),
        (ADMIN, LR, ADMIN, False),
        (ADMIN, LR, COLLAB, False),
        (ADMIN, ADMIN, LR, False),
        (ADMIN, ADMIN, COLLAB, True),
        (ADMIN, COLLAB, LR, False),
        (ADMIN, COLLAB, ADMIN, True),
        (COLLAB, ADMIN, COLLAB, False),
        (COLLAB, COLLAB, ADMIN, False),
    ],
)
def test_the_roles_matrix_for_changing_a_role(org, actor_role, target_role, new_role, allowed):
    actor = factories.add_member(org, role=actor_role)
    target = factories.add_member(org, role=target_role)
    membership = membership_of(target, org)
    if allowed:
        services.change_member_role(actor=actor, membership=membership, role=new_role)
        assert membership_of(target, org).role == new_role
        [event] = events(org, AuditAction.MEMBERSHIP_ROLE_CHANGED)
        assert event.details == {"email": target.email, "from": target_role, "to": new_role}
        assert event.actor == actor
    else:
        with pytest.raises(PermissionDenied):
            services.change_member_role(actor=actor, membership=membership, role=new_role)
        assert membership_of(target, org).role == target_role
        assert not events(org, AuditAction.MEMBERSHIP_ROLE_CHANGED)


def test_the_last_legal_representative_cannot_be_demoted(org, owner):
    with pytest.raises(LastLegalRepresentative) as caught:
        services.change_member_role(actor=owner, membership=membership_of(owner, org), role=ADMIN)
    assert caught.value.code == "last_legal_representative"
    assert caught.value.status == 422
    assert "at least one legal representative" in caught.value.detail
    assert membership_of(owner, org).role == LR
    assert not events(org, AuditAction.MEMBERSHIP_ROLE_CHANGED)


def test_a_legal_representative_steps_down_once_another_is_appointed(org, owner):
    second = factories.add_member(org, role=ADMIN)
    services.change_member_role(actor=owner, membership=membership_of(second, org), role=LR)
    services.change_member_role(actor=owner, membership=membership_of(owner, org), role=ADMIN)
    assert membership_of(owner, org).role == ADMIN
    assert membership_of(second, org).role == LR


def test_setting_the_same_role_records_nothing(org, owner):
    member = factories.add_member(org, role=ADMIN)
    services.change_member_role(actor=owner, membership=membership_of(member, org), role=ADMIN)
    assert not events(org, AuditAction.MEMBERSHIP_ROLE_CHANGED)


def test_an_unknown_role_is_refused(org, owner):
    member = factories.add_member(org, role=ADMIN)
    with pytest.raises(UnknownRole):
        services.change_member_role(actor=owner, membership=membership_of(member, org), role="root")


def test_a_membership_of_another_organization_is_not_found(org, owner):
    other = factories.make_org(owner=factories.make_user())
    stranger = factories.add_member(other, role=COLLAB)
    with pytest.raises(NotFound):
        services.change_member_role(actor=owner, membership=membership_of(stranger, other), role=ADMIN)
    with pytest.raises(NotFound):
        services.remove_member(actor=owner, membership=membership_of(stranger, other))
    assert membership_of(stranger, other).role == COLLAB


def test_demoting_an_admin_cancels_the_transfers_they_started(org, owner):
    admin = factories.add_member(org, role=ADMIN)
    theirs = pending_transfer(org, admin)
    owners = pending_transfer(org, owner)
    services.change_member_role(actor=owner, membership=membership_of(admin, org), role=COLLAB)
    theirs.refresh_from_db()
    owners.refresh_from_db()
    assert theirs.state == TransferState.CANCELLED
    assert owners.state == TransferState.PENDING
    assert events(org, AuditAction.TRANSFER_CANCELLED)


def test_a_legal_representative_made_administrator_keeps_their_transfers(org, owner):
    second = factories.add_member(org, role=LR)
    transfer = pending_transfer(org, second)
    services.change_member_role(actor=owner, membership=membership_of(second, org), role=ADMIN)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PENDING


# Removing and leaving ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_role", "target_role", "allowed"),
    GIVE_OR_TAKE_A_ROLE,
)
def test_the_roles_matrix_for_removing_a_member(org, actor_role, target_role, allowed):
    actor = factories.add_member(org, role=actor_role)
    target = factories.add_member(org, role=target_role)
    if allowed:
        services.remove_member(actor=actor, membership=membership_of(target, org))
        assert not Membership.objects.filter(user=target, organization=org).exists()
        [event] = events(org, AuditAction.MEMBERSHIP_REMOVED)
        assert event.details["email"] == target.email
        assert event.actor == actor
    else:
        with pytest.raises(PermissionDenied):
            services.remove_member(actor=actor, membership=membership_of(target, org))
        assert Membership.objects.filter(user=target, organization=org).exists()


def test_removing_a_member_drops_their_access_and_teams_there_only(org, owner):
    member = factories.add_member(org, role=COLLAB)
    here = factories.make_product(org)
    team = factories.make_team(org, member, owner, name="Web")
    elsewhere_org = factories.make_org(owner=member)
    elsewhere = factories.make_product(elsewhere_org)
    other_team = factories.make_team(elsewhere_org, member)
    factories.grant(here, member)
    factories.grant(elsewhere, member)
    factories.grant(here, team)

    services.remove_member(actor=owner, membership=membership_of(member, org))

    assert not ProductAccess.objects.filter(user=member, product=here).exists()
    assert ProductAccess.objects.filter(user=member, product=elsewhere).exists()
    assert ProductAccess.objects.filter(team=team, product=here).exists()
    assert list(team.members.all()) == [owner]
    assert list(other_team.members.all()) == [member]
    [event] = events(org, AuditAction.MEMBERSHIP_REMOVED)
    assert event.details == {
        "email": member.email,
        "role": COLLAB,
        "product_accesses_removed": 1,
        "teams_left": ["Web"],
    }


def test_the_last_legal_representative_cannot_be_removed(org, owner):
    admin = factories.add_member(org, role=ADMIN)
    with pytest.raises(PermissionDenied):
        services.remove_member(actor=admin, membership=membership_of(owner, org))
    with pytest.raises(LastLegalRepresentative):
        services.remove_member(actor=owner, membership=membership_of(owner, org))
    with pytest.raises(LastLegalRepresentative):
        services.remove_member(actor=None, membership=membership_of(owner, org))
    assert membership_of(owner, org).role == LR


def test_removing_an_admin_cancels_their_transfers(org, owner):
    admin = factories.add_member(org, role=ADMIN)
    transfer = pending_transfer(org, admin)
    services.remove_member(actor=owner, membership=membership_of(admin, org))
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CANCELLED


def test_any_member_may_leave_and_loses_their_rights(org):
    member = factories.add_member(org, role=COLLAB)
    product = factories.make_product(org)
    factories.grant(product, member, AccessLevel.USE)
    team = factories.make_team(org, member)
    services.leave_organization(actor=member, organization=org)
    assert not Membership.objects.filter(user=member, organization=org).exists()
    assert not ProductAccess.objects.filter(user=member).exists()
    assert not team.members.exists()
    [event] = events(org, AuditAction.MEMBERSHIP_LEFT)
    assert event.actor == member


def test_the_last_legal_representative_cannot_leave(org, owner):
    with pytest.raises(LastLegalRepresentative):
        services.leave_organization(actor=owner, organization=org)
    assert membership_of(owner, org).role == LR
    assert not events(org, AuditAction.MEMBERSHIP_LEFT)


def test_a_legal_representative_leaves_when_another_remains(org, owner):
    factories.add_member(org, role=LR)
    transfer = pending_transfer(org, owner)
    services.leave_organization(actor=owner, organization=org)
    assert not Membership.objects.filter(user=owner, organization=org).exists()
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CANCELLED


def test_an_outsider_cannot_leave(org):
    with pytest.raises(NotFound):
        services.leave_organization(actor=factories.make_user(), organization=org)


# Teams ------------------------------------------------------------------------------------------


def test_an_admin_creates_and_deletes_a_team(org, owner):
    admin = factories.add_member(org, role=ADMIN)
    team = services.create_team(actor=admin, organization=org, name=" Web  team ")
    assert team.name == "Web team"
    product = factories.make_product(org)
    factories.grant(product, team)
    services.delete_team(actor=admin, team=team)
    assert not Team.objects.exists()
    assert not ProductAccess.objects.exists()
    assert len(events(org, AuditAction.TEAM_CREATED)) == 1
    [deleted] = events(org, AuditAction.TEAM_DELETED)
    assert deleted.details == {"name": "Web team", "members": [], "product_accesses_removed": 1}


def test_team_names_are_unique_in_an_organization(org, owner):
    services.create_team(actor=owner, organization=org, name="Web")
    with pytest.raises(TeamNameTaken):
        services.create_team(actor=owner, organization=org, name="web")
    other = factories.make_org(owner=owner)
    services.create_team(actor=owner, organization=other, name="Web")
    assert Team.objects.count() == 2


def test_a_collaborator_cannot_manage_teams(org):
    collaborator = factories.add_member(org, role=COLLAB)
    team = factories.make_team(org)
    with pytest.raises(PermissionDenied):
        services.create_team(actor=collaborator, organization=org, name="Mine")
    with pytest.raises(PermissionDenied):
        services.delete_team(actor=collaborator, team=team)
    with pytest.raises(PermissionDenied):
        services.add_team_member(actor=collaborator, team=team, user=collaborator)
    assert Team.objects.count() == 1
    assert not team.members.exists()


def test_an_outsider_cannot_touch_a_team(org):
    team = factories.make_team(org)
    outsider = factories.make_user()
    with pytest.raises(NotFound):
        services.delete_team(actor=outsider, team=team)
    with pytest.raises(NotFound):
        services.remove_team_member(actor=outsider, team=team, user=outsider)


def test_only_members_of_the_organization_join_its_teams(org, owner):
    team = factories.make_team(org)
    member = factories.add_member(org, role=COLLAB)
    services.add_team_member(actor=owner, team=team, user=member)
    services.add_team_member(actor=owner, team=team, user=member)  # already in: left as is
    with pytest.raises(NotAMember):
        services.add_team_member(actor=owner, team=team, user=factories.make_user())
    assert list(team.members.all()) == [member]
    assert len(events(org, AuditAction.TEAM_MEMBER_ADDED)) == 1

    services.remove_team_member(actor=owner, team=team, user=member)
    services.remove_team_member(actor=owner, team=team, user=member)
    assert not team.members.exists()
    [removed] = events(org, AuditAction.TEAM_MEMBER_REMOVED)
    assert removed.details == {"email": member.email}


def test_an_operator_may_add_an_existing_user_quietly_but_never_a_new_one(org, run_tasks):
    known = factories.make_user("known@example.com")
    services.add_member(actor=None, organization=org, email=known.email, role=COLLAB, notify=False)
    services.add_member(actor=None, organization=org, email="new@example.com", role=COLLAB, notify=False)
    run_tasks()
    [message] = mail.outbox  # a new account always gets the link to choose its password
    assert message.to == ["new@example.com"]
    assert "You were added to the Organization Source SA as Collaborator" in message.body


def test_a_membership_removed_before_its_email_is_sent_is_not_announced(org, owner, run_tasks):
    membership = services.add_member(actor=owner, organization=org, email="new@example.com", role=COLLAB)
    services.remove_member(actor=owner, membership=membership)
    run_tasks()
    assert mail.outbox == []


def test_the_invitation_is_written_in_the_recipients_language(org, owner, run_tasks):
    known = factories.make_user("known@example.com")
    known.language = "fr"
    known.save()
    services.add_member(actor=owner, organization=org, email=known.email, role=ADMIN)
    run_tasks()
    [message] = mail.outbox
    assert message.to == ["known@example.com"]
    assert message.alternatives[0][1] == "text/html"
