"""The transfer endpoints: each one's success, and each refusal with its status and code."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Membership, Organization, Role
from handover.products.models import AccessLevel, Product, ProductAccess, ProductStatus
from handover.terms.models import Acceptance
from handover.transfers.models import LinkAttempt, Transfer, TransferState
from handover.transfers.services import cancel_transfer
from tests.support import factories
from tests.support.api import assert_error, receive_body, start_body

TRANSFER_KEYS = {
    "id",
    "state",
    "source_organization",
    "product_count",
    "products",
    "created_by",
    "created_at",
    "expires_at",
    "destination_organization",
    "received_by",
    "completed_at",
}


def snapshot():
    """What a refused request must leave as it was."""
    return (
        list(Transfer.objects.values_list("id", "state", "link_hash").order_by("id")),
        list(Product.objects.values_list("id", "organization_id").order_by("id")),
        AuditEvent.objects.count(),
        Organization.objects.count(),
    )


@pytest.fixture
def later():
    """Travel past the transfers' expiry."""
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.HANDOVER_TRANSFER_TTL + 60)):
        yield


# Preview -----------------------------------------------------------------------------------------


def test_preview_answers_each_products_readiness_and_the_warnings_and_changes_nothing(
    api, owner, org, hosting
):
    bob = factories.add_member(org, factories.make_user("bob@example.com", name="Bob"), Role.COLLABORATOR)
    team = factories.make_team(org, bob, name="Agency")
    drive = factories.make_product(org, "kdrive", name="Drive")
    suite = factories.make_product(org, "ksuite", name="Suite")
    mail_service = factories.make_product(org, "mail_service", name="mail.example")
    hosting.linked.add(mail_service)
    factories.grant(hosting, bob)
    factories.grant(hosting, team)
    factories.grant(drive, bob)
    factories.make_invoice(org, hosting)
    before = snapshot()

    response = api(owner).post(
        f"/organizations/{org.id}/transfers/preview",
        {"product_ids": [str(hosting.id), str(drive.id), str(suite.id)]},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    readiness = {p["name"]: (p["readiness"], p["code"]) for p in body["products"]}
    assert readiness == {
        "shop.example": ("warning", None),
        "Drive": ("warning", None),
        "Suite": ("blocked", "product_not_transferable"),
    }
    assert body["can_start"] is False
    assert [(b["name"], b["code"]) for b in body["blocked"]] == [("Suite", "product_not_transferable")]
    assert body["blocked"][0]["reason"]
    assert [u["user"]["email"] for u in body["users_losing_access"]] == ["bob@example.com"]
    assert [p["name"] for p in body["users_losing_access"][0]["products"]] == ["shop.example"]
    assert [t["team"]["name"] for t in body["teams_losing_rights"]] == ["Agency"]
    assert [p["name"] for p in body["users_moving"][0]["products"]] == ["Drive"]
    assert [p["name"] for p in body["linked_products_left_behind"]] == ["mail.example"]
    assert body["invoice_line_count"] == 1
    assert any("Bob" in w for w in body["warnings"])
    assert snapshot() == before


def test_preview_of_a_product_already_in_a_pending_transfer_names_that_transfer(
    api, owner, org, started, hosting
):
    response = api(owner).post(
        f"/organizations/{org.id}/transfers/preview", {"product_ids": [str(hosting.id)]}
    )

    (product,) = response.json()["products"]
    assert (product["readiness"], product["code"]) == ("blocked", "product_in_pending_transfer")
    assert product["pending_transfer_id"] == str(started.transfer.id)


def test_preview_of_another_organizations_product_answers_404(api, owner, org):
    elsewhere = factories.make_product(factories.make_org("Elsewhere"))

    response = api(owner).post(
        f"/organizations/{org.id}/transfers/preview", {"product_ids": [str(elsewhere.id)]}
    )

    assert_error(response, 404, "not_found")


def test_preview_of_duplicate_products_answers_400(api, owner, org, hosting):
    response = api(owner).post(
        f"/organizations/{org.id}/transfers/preview", {"product_ids": [str(hosting.id), str(hosting.id)]}
    )

    assert_error(response, 400, "duplicate_products")


# Start ---------------------------------------------------------------------------------------------


def test_start_answers_201_with_the_transfer_its_link_and_its_secret(api, owner, org, hosting, domain, terms):
    response = api(owner).post(f"/organizations/{org.id}/transfers", start_body(hosting, domain, note="Hi"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == TRANSFER_KEYS | {"link", "token"}
    assert body["link"] == f"{settings.BASE_URL}/transfers/receive/{body['token']}"
    assert len(body["token"]) >= 22  # at least 128 bits, URL-safe base64
    assert body["state"] == "pending"
    assert body["source_organization"] == {"id": str(org.id), "name": "Source SA"}
    assert body["created_by"] == {"id": str(owner.id), "email": "owner@example.com", "name": "Olivia Owner"}
    assert [p["name"] for p in body["products"]] == ["example.ch", "shop.example"]
    assert body["products"][0] == {"id": str(domain.id), "name": "example.ch", "type": "domain"}
    assert (body["destination_organization"], body["received_by"], body["completed_at"]) == (None, None, None)
    transfer = Transfer.objects.get(id=body["id"])
    assert transfer.note == "Hi"
    assert body["token"] not in transfer.link_hash
    assert AuditEvent.objects.filter(organization=org, action=AuditAction.TRANSFER_STARTED).count() == 1
    assert Acceptance.objects.filter(user=owner, organization=org).count() == 1


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"accept_terms": False}, 422, "terms_not_accepted"),
        ({"acknowledge_warnings": False}, 422, "warnings_not_acknowledged"),
    ],
)
def test_start_without_an_acknowledgement_is_refused(api, owner, org, hosting, terms, change, status, code):
    before = snapshot()

    response = api(owner).post(f"/organizations/{org.id}/transfers", start_body(hosting, **change))

    assert_error(response, status, code)
    assert snapshot() == before


def test_start_of_a_non_transferable_product_answers_422_naming_it(api, owner, org, hosting, terms):
    suite = factories.make_product(org, "ksuite", name="Suite")
    suspended = factories.make_product(org, name="old.example", status=ProductStatus.SUSPENDED)
    before = snapshot()

    response = api(owner).post(f"/organizations/{org.id}/transfers", start_body(hosting, suite, suspended))

    body = assert_error(response, 422, "product_not_transferable")
    assert set(body["fields"]["product_ids"]) == {str(suite.id), str(suspended.id)}
    assert snapshot() == before


def test_start_of_a_product_in_a_pending_transfer_answers_409(api, owner, org, hosting, started):
    before = snapshot()

    response = api(owner).post(f"/organizations/{org.id}/transfers", start_body(hosting))

    assert_error(response, 409, "product_in_pending_transfer")
    assert snapshot() == before


def test_start_while_transfers_are_locked_answers_422_and_the_preview_says_so(
    api, owner, org, hosting, terms
):
    Organization.objects.filter(id=org.id).update(transfers_locked=True)
    preview = api(owner).post(
        f"/organizations/{org.id}/transfers/preview", {"product_ids": [str(hosting.id)]}
    )
    assert (preview.json()["can_start"], preview.json()["transfers_locked"]) == (False, True)

    response = api(owner).post(f"/organizations/{org.id}/transfers", start_body(hosting))

    assert_error(response, 422, "transfers_locked")
    assert not Transfer.objects.exists()


def test_start_of_an_unknown_product_answers_404(api, owner, org, hosting, terms):
    response = api(owner).post(
        f"/organizations/{org.id}/transfers", start_body(hosting, product_ids=[str(hosting.id), str(org.id)])
    )

    assert_error(response, 404, "not_found")
    assert not Transfer.objects.exists()


# The list --------------------------------------------------------------------------------------------


def _start_many(owner, org, count):
    from handover.transfers.services import start_transfer

    products = factories.make_products(org, count)
    return [
        start_transfer(
            actor=owner, organization=org, product_ids=[p.id], accept_terms=True, acknowledge_warnings=True
        ).transfer
        for p in products
    ]


def test_the_list_is_paginated_newest_first_and_filtered_by_state(api, owner, org, terms):
    transfers = _start_many(owner, org, 3)
    cancel_transfer(actor=owner, transfer=transfers[0])
    client = api(owner)

    everything = client.get(f"/organizations/{org.id}/transfers").json()
    page = client.get(f"/organizations/{org.id}/transfers", {"limit": 1, "offset": 1}).json()
    pending = client.get(f"/organizations/{org.id}/transfers", {"state": "pending"}).json()
    cancelled = client.get(f"/organizations/{org.id}/transfers", {"state": "cancelled"}).json()

    assert everything["count"] == 3
    assert [t["id"] for t in everything["items"]] == [str(t.id) for t in reversed(transfers)]
    assert set(everything["items"][0]) == TRANSFER_KEYS
    assert page == {"count": 3, "items": [everything["items"][1]]}
    assert pending["count"] == 2
    assert [t["id"] for t in cancelled["items"]] == [str(transfers[0].id)]


def test_the_list_includes_incoming_transfers(api, owner, org, started, recipient, destination):
    api(recipient).post("/transfer-links/receive", receive_body(started.token, destination))

    body = api(recipient).get(f"/organizations/{destination.id}/transfers").json()

    assert [(t["id"], t["state"]) for t in body["items"]] == [(str(started.transfer.id), "completed")]
    assert body["items"][0]["destination_organization"] == {
        "id": str(destination.id),
        "name": "Destination GmbH",
    }


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_takes_the_same_number_of_queries_for_5_or_50_transfers(
    api, owner, org, terms, count, django_assert_max_num_queries
):
    _start_many(owner, org, count)
    client = api(owner)

    with django_assert_max_num_queries(9):
        response = client.get(f"/organizations/{org.id}/transfers", {"limit": 200})

    assert response.json()["count"] == count


# One transfer ----------------------------------------------------------------------------------------


def test_a_transfer_reads_the_same_from_both_sides(api, owner, started, recipient, destination):
    received = api(recipient).post("/transfer-links/receive", receive_body(started.token, destination)).json()

    from_source = api(owner).get(f"/transfers/{started.transfer.id}")
    from_destination = api(recipient).get(f"/transfers/{started.transfer.id}")

    assert from_source.status_code == from_destination.status_code == 200
    assert from_source.json() == from_destination.json() == received


def test_an_unknown_transfer_answers_404(api, owner):
    assert_error(api(owner).get(f"/transfers/{factories.uuid.uuid4()}"), 404, "not_found")


# New link ----------------------------------------------------------------------------------------------


def test_a_new_link_replaces_the_old_one_at_once(api, owner, recipient, started):
    response = api(owner).post(f"/transfers/{started.transfer.id}/link")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == TRANSFER_KEYS | {"link", "token"}
    assert body["token"] != started.token
    assert body["link"].endswith(body["token"])
    assert_error(
        api(recipient).post("/transfer-links/inspect", {"token": started.token}), 404, "transfer_link_unknown"
    )
    assert api(recipient).post("/transfer-links/inspect", {"token": body["token"]}).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_LINK_ROTATED).count() == 1


def test_a_new_link_for_a_cancelled_transfer_answers_409(api, owner, started):
    cancel_transfer(actor=owner, transfer=started.transfer)

    assert_error(api(owner).post(f"/transfers/{started.transfer.id}/link"), 409, "transfer_not_pending")


def test_a_new_link_for_an_expired_transfer_answers_410(api, owner, started, later):
    assert_error(api(owner).post(f"/transfers/{started.transfer.id}/link"), 410, "transfer_expired")


# Send -----------------------------------------------------------------------------------------------------


def test_send_emails_a_new_link_bound_to_the_address(api, owner, started, run_tasks):
    response = api(owner).post(
        f"/transfers/{started.transfer.id}/send", {"email": " Rita@Example.com ", "message": "For you"}
    )

    assert response.status_code == 200, response.content
    assert set(response.json()) == TRANSFER_KEYS
    transfer = Transfer.objects.get(id=started.transfer.id)
    assert transfer.bound_email == "rita@example.com"
    assert transfer.link_hash != started.transfer.link_hash
    run_tasks()
    (email,) = mail.outbox
    assert email.to == ["rita@example.com"]
    assert "For you" in email.body and "/transfers/receive/" in email.body
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_LINK_SENT).count() == 1


def test_a_link_sent_unbound_is_not_bound(api, owner, started):
    api(owner).post(
        f"/transfers/{started.transfer.id}/send", {"email": "rita@example.com", "bind_to_email": False}
    )

    assert Transfer.objects.get(id=started.transfer.id).bound_email == ""


@pytest.mark.parametrize(
    "email", ["", "not an email", "a@b", "x" * 250 + "@example.com", "a@example.com\x00"]
)
def test_send_to_an_invalid_address_answers_400_and_sends_nothing(api, owner, started, email):
    before = snapshot()

    response = api(owner).post(f"/transfers/{started.transfer.id}/send", {"email": email})

    assert "email" in assert_error(response, 400, "invalid")["fields"]
    assert snapshot() == before


def test_sending_too_many_links_answers_429_with_retry_after(api, owner, started, settings):
    settings.HANDOVER_RATE_LIMITS = {**settings.HANDOVER_RATE_LIMITS, "send_link": {"user": 2}}
    client = api(owner)
    for _ in range(2):
        assert (
            client.post(f"/transfers/{started.transfer.id}/send", {"email": "r@example.com"}).status_code
            == 200
        )

    response = client.post(f"/transfers/{started.transfer.id}/send", {"email": "r@example.com"})

    assert_error(response, 429, "too_many_requests")
    assert int(response["Retry-After"]) > 0


# Complete -----------------------------------------------------------------------------------------------


def complete(client, transfer, destination, accept_terms=True):
    return client.post(
        f"/transfers/{transfer.id}/complete",
        {"destination_organization_id": str(destination.id), "accept_terms": accept_terms},
    )


@pytest.fixture
def second_org(owner):
    """Another Organization of the owner's, where they are legal representative too."""
    return factories.make_org("Second Sàrl", owner=owner)


def test_complete_moves_the_products_into_another_organization_of_mine(
    api, owner, started, hosting, second_org
):
    response = complete(api(owner), started.transfer, second_org)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "completed"
    assert body["destination_organization"] == {"id": str(second_org.id), "name": "Second Sàrl"}
    assert body["received_by"]["id"] == str(owner.id)
    assert Product.objects.get(id=hosting.id).organization_id == second_org.id


def test_complete_into_an_organization_i_do_not_belong_to_answers_404(api, owner, started, destination):
    before = snapshot()

    response = complete(api(owner), started.transfer, destination)

    assert_error(response, 404, "not_found")
    assert snapshot() == before


def test_complete_into_an_organization_where_i_collaborate_answers_403(api, owner, started, destination):
    factories.add_member(destination, owner, Role.COLLABORATOR)

    response = complete(api(owner), started.transfer, destination)

    assert_error(response, 403, "permission_denied")


def test_complete_into_the_source_itself_answers_422(api, owner, org, started):
    response = complete(api(owner), started.transfer, org)

    assert_error(response, 422, "invalid_destination")


def test_complete_without_the_terms_answers_422(api, owner, started, second_org):
    before = snapshot()

    response = complete(api(owner), started.transfer, second_org, accept_terms=False)

    assert_error(response, 422, "terms_not_accepted")
    assert snapshot() == before


# Cancel -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [None, {}, {"reason": "Wrong products"}])
def test_cancel_ends_a_pending_transfer_and_frees_its_products(api, owner, started, hosting, terms, body):
    response = api(owner).post(f"/transfers/{started.transfer.id}/cancel", body)

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "cancelled"
    assert Transfer.objects.get(id=started.transfer.id).end_reason == (body or {}).get("reason", "")
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_CANCELLED).count() == 1
    again = api(owner).post(
        f"/organizations/{started.transfer.source_organization_id}/transfers", start_body(hosting)
    )
    assert again.status_code == 201


def test_cancelling_twice_answers_409(api, owner, started):
    api(owner).post(f"/transfers/{started.transfer.id}/cancel")

    assert_error(api(owner).post(f"/transfers/{started.transfer.id}/cancel"), 409, "transfer_not_pending")


# Inspect ----------------------------------------------------------------------------------------------


def test_inspect_shows_what_would_be_received_and_changes_nothing(api, owner, org, recipient, hosting, terms):
    token = (
        api(owner)
        .post(f"/organizations/{org.id}/transfers", start_body(hosting, note="Welcome"))
        .json()["token"]
    )
    before = snapshot()

    response = api(recipient).post("/transfer-links/inspect", {"token": token})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == TRANSFER_KEYS | {"note", "users_joining", "users_joining_count"}
    assert (body["users_joining"], body["users_joining_count"]) == ([], 0)
    assert body["note"] == "Welcome"
    assert body["source_organization"]["name"] == "Source SA"
    assert [p["name"] for p in body["products"]] == ["shop.example"]
    assert snapshot() == before


def test_the_recipient_is_told_before_receiving_who_joins_their_organization(
    api, client, owner, org, recipient, start
):
    """A kDrive brings the users the sender gave access to it into the receiving Organization: the
    API's inspect and the receive page both name them before anything is received."""
    drive = factories.make_product(org, "kdrive", name="Drive")
    carol = factories.add_member(
        org, factories.make_user("carol@example.com", name="Carol"), Role.COLLABORATOR
    )
    factories.grant(drive, carol, AccessLevel.MANAGE)
    started = start(owner, org, drive)

    body = api(recipient).post("/transfer-links/inspect", {"token": started.token}).json()
    client.force_login(recipient)
    client.get(reverse("transfers:receive_link", args=[started.token]))
    page = client.get(reverse("transfers:receive")).content.decode()

    assert body["users_joining_count"] == 1
    assert [(u["user"]["email"], [p["name"] for p in u["products"]]) for u in body["users_joining"]] == [
        ("carol@example.com", ["Drive"])
    ]
    assert "Carol keeps using Drive and joins your Organization as a collaborator." in page


def test_inspect_of_an_unknown_link_answers_404(api, recipient):
    assert_error(
        api(recipient).post("/transfer-links/inspect", {"token": "x" * 43}), 404, "transfer_link_unknown"
    )


def test_inspect_of_a_used_link_answers_409_saying_it_was_used(api, recipient, destination, started):
    api(recipient).post("/transfer-links/receive", receive_body(started.token, destination))
    other = factories.make_user()

    body = assert_error(
        api(other).post("/transfer-links/inspect", {"token": started.token}), 409, "transfer_not_pending"
    )
    assert "used" in body["detail"]


def test_inspect_of_an_expired_link_answers_410(api, recipient, started, later):
    assert_error(
        api(recipient).post("/transfer-links/inspect", {"token": started.token}), 410, "transfer_expired"
    )


def test_a_link_bound_to_another_address_answers_403(api, owner, recipient, started, run_tasks):
    api(owner).post(f"/transfers/{started.transfer.id}/send", {"email": "someone.else@example.com"})
    run_tasks()
    [message] = mail.outbox
    token = re.search(r"/transfers/receive/(\S+)", message.body).group(1)

    response = api(recipient).post("/transfer-links/inspect", {"token": token})

    assert_error(response, 403, "transfer_bound_to_email")


def test_guessing_links_is_refused_with_429_after_the_limit(api, recipient, started, settings):
    settings.HANDOVER_LINK_ATTEMPT_LIMIT = 3
    client = api(recipient)
    for n in range(3):
        assert_error(
            client.post("/transfer-links/inspect", {"token": f"guess-{n}"}), 404, "transfer_link_unknown"
        )

    refused = client.post("/transfer-links/inspect", {"token": started.token})
    also_refused = client.post("/transfer-links/receive", {"token": "guess", "accept_terms": True})

    assert_error(refused, 429, "too_many_attempts")
    assert int(refused["Retry-After"]) == settings.HANDOVER_LINK_ATTEMPT_WINDOW
    assert_error(also_refused, 429, "too_many_attempts")
    assert LinkAttempt.objects.filter(key=f"user:{recipient.pk}").count() == 3


# Receive ----------------------------------------------------------------------------------------------


def test_receive_moves_the_products_and_removes_access(api, org, recipient, destination, started, hosting):
    bob = factories.add_member(org, role=Role.COLLABORATOR)
    factories.grant(hosting, bob)

    response = api(recipient).post("/transfer-links/receive", receive_body(started.token, destination))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == TRANSFER_KEYS
    assert body["state"] == "completed"
    assert body["received_by"] == {
        "id": str(recipient.id),
        "email": "recipient@example.com",
        "name": "Rita Recipient",
    }
    assert body["completed_at"] is not None
    assert Product.objects.get(id=hosting.id).organization_id == destination.id
    assert not ProductAccess.objects.filter(product=hosting).exists()


def test_receiving_twice_returns_the_same_transfer(api, recipient, destination, started):
    client = api(recipient)
    first = client.post("/transfer-links/receive", receive_body(started.token, destination))
    events = AuditEvent.objects.count()

    second = client.post("/transfer-links/receive", receive_body(started.token, destination))

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert AuditEvent.objects.count() == events


def test_a_second_recipient_gets_409(api, recipient, destination, started):
    api(recipient).post("/transfer-links/receive", receive_body(started.token, destination))
    rival = factories.make_user()
    rival_org = factories.make_org("Rival", owner=rival)

    response = api(rival).post("/transfer-links/receive", receive_body(started.token, rival_org))

    assert_error(response, 409, "transfer_not_pending")


def test_receive_into_a_new_organization_creates_it_with_me_as_legal_representative(
    api, recipient, started, hosting
):
    response = api(recipient).post(
        "/transfer-links/receive",
        {"token": started.token, "new_organization": {"name": "Fresh AG"}, "accept_terms": True},
    )

    assert response.status_code == 200, response.content
    fresh = Organization.objects.get(name="Fresh AG")
    assert response.json()["destination_organization"] == {"id": str(fresh.id), "name": "Fresh AG"}
    assert Membership.objects.get(organization=fresh).role == Role.LEGAL_REPRESENTATIVE
    assert Product.objects.get(id=hosting.id).organization_id == fresh.id


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"accept_terms": False}, 422, "terms_not_accepted"),
        ({"destination_organization_id": None}, 400, "destination_required"),
        ({"new_organization": {"name": "Both"}}, 400, "invalid"),
        ({"new_organization": {"name": ""}, "destination_organization_id": None}, 400, "invalid"),
        ({"token": "x" * 43}, 404, "transfer_link_unknown"),
        ({"token": ""}, 400, "invalid"),
    ],
)
def test_receive_refusals_change_nothing(api, recipient, destination, started, body, status, code):
    before = snapshot()

    response = api(recipient).post(
        "/transfer-links/receive", {**receive_body(started.token, destination), **body}
    )

    assert_error(response, status, code)
    assert snapshot()[1:] == before[1:]  # products, events, Organizations (a failed guess is counted apart)
    assert Transfer.objects.get(id=started.transfer.id).state == TransferState.PENDING


def test_receive_of_an_expired_link_answers_410(api, recipient, destination, started, later):
    assert_error(
        api(recipient).post("/transfer-links/receive", receive_body(started.token, destination)),
        410,
        "transfer_expired",
    )


def test_receive_of_a_cancelled_link_answers_409(api, owner, recipient, destination, started):
    cancel_transfer(actor=owner, transfer=started.transfer)

    response = api(recipient).post("/transfer-links/receive", receive_body(started.token, destination))

    assert_error(response, 409, "transfer_not_pending")


def test_receive_of_a_product_suspended_since_the_start_answers_409_stale(
    api, recipient, destination, started, hosting
):
    Product.objects.filter(id=hosting.id).update(status=ProductStatus.SUSPENDED)
    before = snapshot()

    response = api(recipient).post("/transfer-links/receive", receive_body(started.token, destination))

    body = assert_error(response, 409, "transfer_stale")
    assert "shop.example" in body["detail"]
    assert snapshot() == before


def test_receive_into_the_source_answers_422(api, owner, org, started):
    response = api(owner).post("/transfer-links/receive", receive_body(started.token, org))

    assert_error(response, 422, "invalid_destination")


# Decline ---------------------------------------------------------------------------------------------------


def test_decline_ends_the_transfer_and_leaves_the_products(api, org, recipient, started, hosting):
    response = api(recipient).post("/transfer-links/decline", {"token": started.token, "reason": "Not ours"})

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "declined"
    transfer = Transfer.objects.get(id=started.transfer.id)
    assert (transfer.state, transfer.end_reason) == (TransferState.DECLINED, "Not ours")
    assert Product.objects.get(id=hosting.id).organization_id == org.id


def test_declining_twice_answers_409(api, recipient, started):
    api(recipient).post("/transfer-links/decline", {"token": started.token})

    assert_error(
        api(recipient).post("/transfer-links/decline", {"token": started.token}), 409, "transfer_not_pending"
    )


def test_decline_of_an_unknown_link_answers_404(api, recipient):
    assert_error(
        api(recipient).post("/transfer-links/decline", {"token": "nope"}), 404, "transfer_link_unknown"
    )
