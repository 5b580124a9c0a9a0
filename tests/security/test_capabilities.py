"""Every capability dies with its issuer's right (SPEC §6.2): a link someone renewed or sent for a
transfer another admin started stops working when they are demoted, removed or leave; an API token
reaches an Organization only as far as its owner's role there, now."""

import pytest
from django.utils import timezone

from handover.accounts.models import User
from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Membership, Role
from handover.organizations.services import add_member, change_member_role, leave_organization, remove_member
from handover.products.models import Product
from handover.transfers import errors, services
from handover.transfers.links import link_secret
from handover.transfers.models import Transfer, TransferState
from handover.transfers.selectors import transfers_waiting_for_user
from tests.support import factories
from tests.support.api import assert_error, receive_body, start_body


def _demote(org, owner, admin):
    change_member_role(actor=owner, membership=Membership.objects.get(user=admin), role=Role.COLLABORATOR)


def _remove(org, owner, admin):
    remove_member(actor=owner, membership=Membership.objects.get(user=admin))


def _leave(org, owner, admin):
    leave_organization(actor=admin, organization=org)


def _rotate(admin, transfer):
    return services.rotate_transfer_link(actor=admin, transfer=transfer).token


def _send(admin, transfer):
    services.send_transfer_link(actor=admin, transfer=transfer, email="recipient@example.com")
    transfer.refresh_from_db()
    return link_secret(transfer.id, transfer.link_nonce)


@pytest.mark.parametrize("issue", [_rotate, _send], ids=["renewed", "sent"])
@pytest.mark.parametrize("lose_right", [_demote, _remove, _leave], ids=["demoted", "removed", "left"])
def test_a_link_dies_with_the_right_of_whoever_issued_it(
    start, org, owner, admin, recipient, destination, hosting, issue, lose_right
):
    transfer = start(owner, org, hosting).transfer
    token = issue(admin, transfer)

    lose_right(org, owner, admin)

    with pytest.raises(errors.TransferLinkUnknown):
        services.inspect_transfer_link(actor=recipient, token=token)
    with pytest.raises(errors.TransferLinkUnknown):
        services.receive_transfer(actor=recipient, token=token, destination=destination, accept_terms=True)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PENDING  # the owner's transfer goes on; they may issue a new link
    assert transfer.link_hash is None
    assert Product.objects.get().organization == org
    revoked = AuditEvent.objects.get(action=AuditAction.TRANSFER_LINK_REVOKED)
    assert revoked.details["issued_by"] == admin.email
    fresh = services.rotate_transfer_link(actor=owner, transfer=transfer)
    received = services.receive_transfer(
        actor=recipient, token=fresh.token, destination=destination, accept_terms=True
    )
    assert received.state == TransferState.COMPLETED


def test_a_link_dies_with_its_issuers_right_even_when_the_role_changes_behind_the_services(
    start, org, owner, admin, recipient, destination, hosting
):
    """An operator editing the membership in /admin/ sends no signal: the link's lookup checks the
    issuer's role itself, now."""
    transfer = start(owner, org, hosting).transfer
    token = _rotate(admin, transfer)
    Membership.objects.filter(user=admin).update(role=Role.COLLABORATOR)

    with pytest.raises(errors.TransferLinkUnknown):
        services.receive_transfer(actor=recipient, token=token, destination=destination, accept_terms=True)
    with pytest.raises(errors.TransferLinkUnknown):
        services.decline_transfer(actor=recipient, token=token)
    assert Transfer.objects.get().state == TransferState.PENDING


def test_a_link_dies_when_an_operator_deactivates_its_issuer(
    start, org, owner, admin, recipient, destination, hosting
):
    """An inactive user has no role anywhere: the "active" box an operator unticks in /admin/."""
    transfer = start(owner, org, hosting).transfer
    token = _rotate(admin, transfer)
    User.objects.filter(pk=admin.pk).update(is_active=False)

    with pytest.raises(errors.TransferLinkUnknown):
        services.inspect_transfer_link(actor=recipient, token=token)
    with pytest.raises(errors.TransferLinkUnknown):
        services.receive_transfer(actor=recipient, token=token, destination=destination, accept_terms=True)
    assert Transfer.objects.get().state == TransferState.PENDING
    assert Product.objects.get().organization == org


def test_a_link_checks_its_issuers_right_again_under_the_lock(
    start, org, owner, admin, recipient, destination, hosting, monkeypatch
):
    """Demoted between the receive's lookup and its lock: the locked row is checked again."""
    transfer = start(owner, org, hosting).transfer
    token = _rotate(admin, transfer)
    looked_up = services.transfer_get_by_token(token=token)
    monkeypatch.setattr(services, "transfer_get_by_token", lambda token: looked_up)
    Membership.objects.filter(user=admin).update(role=Role.COLLABORATOR)

    with pytest.raises(errors.TransferLinkUnknown):
        services.receive_transfer(actor=recipient, token=token, destination=destination, accept_terms=True)
    assert Product.objects.get().organization == org


def test_a_link_sent_by_a_demoted_admin_leaves_the_recipients_waiting_list(
    start, org, owner, admin, recipient, hosting
):
    transfer = start(owner, org, hosting).transfer
    _send(admin, transfer)
    assert list(transfers_waiting_for_user(user=recipient)) == [transfer]

    _demote(org, owner, admin)
    assert list(transfers_waiting_for_user(user=recipient)) == []


def test_an_api_token_reaches_an_organization_only_as_far_as_its_owners_role_now(
    api, start, org, owner, admin, hosting, domain
):
    transfer = start(owner, org, hosting).transfer
    client = api(admin)
    assert client.post(f"/transfers/{transfer.id}/link").status_code == 200

    _demote(org, owner, admin)
    assert_error(client.post(f"/transfers/{transfer.id}/link"), 403, "permission_denied")
    assert_error(
        client.post(f"/organizations/{org.id}/transfers", start_body(domain)),
        403,
        "permission_denied",
    )

    _remove(org, owner, admin)
    assert_error(client.post(f"/transfers/{transfer.id}/link"), 404, "not_found")
    assert_error(client.get(f"/organizations/{org.id}/transfers"), 404, "not_found")


def test_a_receive_through_the_api_refuses_a_link_whose_issuer_left(
    api, start, org, owner, admin, recipient, destination, hosting
):
    transfer = start(owner, org, hosting).transfer
    token = api(admin).post(f"/transfers/{transfer.id}/link").json()["token"]
    _leave(org, owner, admin)

    answer = api(recipient).post("/transfer-links/receive", receive_body(token, destination))
    assert_error(answer, 404, "transfer_link_unknown")


@pytest.mark.parametrize("lose_right", [_demote, _remove, _leave], ids=["demoted", "removed", "left"])
def test_a_pending_invitation_dies_with_the_right_of_whoever_sent_it(org, owner, admin, lose_right):
    """An invitation not yet taken up (a new account that never signed in) is withdrawn; members the
    person added who already use their account, and those others invited, stay."""
    pending = add_member(actor=admin, organization=org, email="alt@example.com", role=Role.ADMINISTRATOR)
    taken_up = add_member(
        actor=admin, organization=org, email="colleague@example.com", role=Role.COLLABORATOR
    )
    User.objects.filter(pk=taken_up.user_id).update(last_login=timezone.now())
    existing = add_member(
        actor=admin, organization=org, email=factories.make_user().email, role=Role.COLLABORATOR
    )
    by_owner = add_member(
        actor=owner, organization=org, email="other.new@example.com", role=Role.COLLABORATOR
    )

    lose_right(org, owner, admin)

    kept = set(Membership.objects.filter(organization=org).values_list("pk", flat=True))
    assert pending.pk not in kept
    assert {taken_up.pk, existing.pk, by_owner.pk} <= kept
    withdrawn = AuditEvent.objects.get(
        action=AuditAction.MEMBERSHIP_REMOVED, details__email="alt@example.com"
    )
    assert (withdrawn.actor, withdrawn.details["invited_by"]) == (None, admin.email)
