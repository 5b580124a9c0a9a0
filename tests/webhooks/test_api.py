"""The webhook endpoints of the API: register (the secret shown once), list, delete, rotate with a
grace period where both secrets sign, list deliveries; refusals in the one error shape, audit events."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from handover.accounts.models import User
from handover.audit.models import AuditEvent
from handover.errors import InvalidFields, PermissionDenied
from handover.organizations.models import Membership, Role
from handover.organizations.services import change_member_role, remove_member
from handover.webhooks import services, signing
from handover.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.support import factories
from tests.support.api import ApiClient, assert_error

PUBLIC_URL = "https://93.184.215.14/hook"  # a public address: no name to resolve in the tests


@pytest.fixture
def client(owner):
    return ApiClient(owner)


def _path(org, *rest):
    return "/".join([f"/organizations/{org.id}/webhooks", *rest])


def test_registering_answers_the_secret_once_and_records_it_in_the_audit_log(client, org):
    response = client.post(
        _path(org), {"url": PUBLIC_URL, "events": ["transfer.completed", "transfer.started"]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["transfer.started", "transfer.completed"]  # the catalogue's order
    endpoint = WebhookEndpoint.objects.get(id=body["id"])
    assert endpoint.secret == body["secret"]
    listed = client.get(_path(org)).json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    event = AuditEvent.objects.get(action="webhook:registered")
    assert event.details == {"webhook_id": body["id"], "url": PUBLIC_URL, "events": body["events"]}
    assert body["secret"] not in str(event.details)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.215.14/hook", "https://"),
        ("https://127.0.0.1/hook", "not a public address"),
        ("https://10.1.2.3/hook", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::1]/hook", "not a public address"),
        ("https://[::ffff:192.168.0.1]/hook", "not a public address"),
        ("https://100.64.0.1/hook", "not a public address"),
        ("https://user:pass@93.184.215.14/hook", "user name"),
        ("https:///hook", "host name"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_an_address_that_may_not_receive_webhooks_is_refused(client, org, url, reason):
    body = assert_error(
        client.post(_path(org), {"url": url, "events": ["transfer.started"]}), 422, "webhook_url_refused"
    )
    assert reason in body["fields"]["url"]
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook:registered").exists()


def test_private_addresses_and_http_are_allowed_when_the_setting_says_so(client, org, settings):
    settings.HANDOVER_WEBHOOK_ALLOW_PRIVATE = True
    response = client.post(_path(org), {"url": "http://127.0.0.1:9/hook", "events": ["transfer.started"]})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": PUBLIC_URL, "events": []}, "events"),
        ({"url": PUBLIC_URL, "events": ["transfer.exploded"]}, "events.0"),
        ({"url": PUBLIC_URL}, "events"),
        ({"url": "https://93.184.215.14/" + "a" * 2000, "events": ["transfer.started"]}, "url"),
        ({"url": PUBLIC_URL, "events": ["transfer.started"], "secret": "mine"}, "secret"),
    ],
)
def test_invalid_input_is_refused_field_by_field(client, org, body, field):
    answer = assert_error(client.post(_path(org), body), 400, "invalid")
    assert field in answer["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_an_organization_has_at_most_twenty_endpoints(client, org):
    for _ in range(services.MAX_ENDPOINTS):
        factories.make_webhook(org)
    assert_error(
        client.post(_path(org), {"url": PUBLIC_URL, "events": ["transfer.started"]}),
        409,
        "webhook_limit_reached",
    )
    assert WebhookEndpoint.objects.count() == services.MAX_ENDPOINTS


def test_rotating_signs_with_both_secrets_for_24_hours(client, org):
    endpoint = factories.make_webhook(org)
    old = endpoint.secret

    response = client.post(_path(org, str(endpoint.id), "rotate-secret"))

    assert response.status_code == 200, response.content
    new = response.json()["secret"]
    assert new != old
    endpoint.refresh_from_db()
    now = timezone.now()
    assert services.live_secrets(endpoint, now) == [new, old]
    header = signing.signature_header(services.live_secrets(endpoint, now), 1_700_000_000, b"{}")
    assert header == (
        f"t=1700000000,v1={signing.signature(new, 1_700_000_000, b'{}')},"
        f"v1={signing.signature(old, 1_700_000_000, b'{}')}"
    )
    assert services.live_secrets(endpoint, now + timedelta(hours=23, minutes=59)) == [new, old]
    assert services.live_secrets(endpoint, now + timedelta(hours=24, seconds=1)) == [new]
    assert response.json()["previous_secret_expires_at"]
    event = AuditEvent.objects.get(action="webhook:secret_rotated")
    assert event.details["webhook_id"] == str(endpoint.id)
    assert old not in str(event.details) and new not in str(event.details)


def test_deleting_removes_the_endpoint_and_is_audited(client, org):
    endpoint = factories.make_webhook(org)
    response = client.request("DELETE", _path(org, str(endpoint.id)))
    assert response.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.get(action="webhook:deleted").details["url"] == endpoint.url
    assert_error(client.request("DELETE", _path(org, str(endpoint.id))), 404, "not_found")


def test_another_organizations_endpoint_is_not_found(client, org, recipient):
    theirs = factories.make_webhook(factories.make_org(owner=recipient))
    for answer in (
        client.request("DELETE", _path(org, str(theirs.id))),
        client.post(_path(org, str(theirs.id), "rotate-secret")),
        client.get(_path(org, str(theirs.id), "deliveries")),
    ):
        assert_error(answer, 404, "not_found")
    assert WebhookEndpoint.objects.filter(id=theirs.id, secret=theirs.secret).exists()


def test_deliveries_list_every_attempt_paged(
    client, org, owner, start, webhook_receiver, run_tasks, django_assert_max_num_queries
):
    endpoint = factories.make_webhook(org, webhook_receiver.url())
    webhook_receiver.statuses = [500]
    for product in factories.make_products(org, 3):
        start(owner, org, product)
    run_tasks()
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        run_tasks()

    with django_assert_max_num_queries(8):
        page = client.get(_path(org, str(endpoint.id), "deliveries"), {"limit": 2})

    body = page.json()
    assert body["count"] == 3 and len(body["items"]) == 2
    attempts = sorted(
        [
            (a["outcome"], a["status_code"])
            for d in client.get(_path(org, str(endpoint.id), "deliveries")).json()["items"]
            for a in d["attempts"]
        ]
    )
    assert attempts == [("delivered", 200), ("delivered", 200), ("delivered", 200), ("rejected", 500)]
    item = body["items"][0]
    assert item["event_type"] == "transfer.started" and item["state"] == "delivered"
    assert set(item["attempts"][0]) == {
        "number",
        "started_at",
        "outcome",
        "status_code",
        "error",
        "duration_ms",
    }


def test_the_service_refuses_unknown_or_no_events_itself(owner, org):
    """The web form and the API schema check the events first; the service is the rule's home."""
    with pytest.raises(InvalidFields) as unknown:
        services.register_webhook(actor=owner, organization=org, url=PUBLIC_URL, events=["transfer.lost"])
    with pytest.raises(InvalidFields) as none:
        services.register_webhook(actor=owner, organization=org, url=PUBLIC_URL, events=[])
    assert "transfer.lost" in unknown.value.fields["events"]
    assert none.value.fields["events"] == "Choose at least one event type."
    assert not WebhookEndpoint.objects.exists()


def test_a_collaborator_cannot_register_through_the_service(org):
    collaborator = factories.add_member(org, role="collaborator")
    with pytest.raises(PermissionDenied):
        services.register_webhook(
            actor=collaborator, organization=org, url=PUBLIC_URL, events=["transfer.started"]
        )
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("lose_rights", ["demoted", "removed"])
def test_an_endpoint_dies_with_the_right_of_whoever_registered_it(org, owner, admin, lose_rights):
    """The address an administrator chose stops hearing the Organization's transfers the moment they
    may no longer manage its webhooks (SPEC §6.2); the owner's own endpoint keeps listening."""
    theirs = services.register_webhook(
        actor=admin, organization=org, url=PUBLIC_URL, events=["transfer.started"]
    )
    kept = services.register_webhook(
        actor=owner, organization=org, url=PUBLIC_URL, events=["transfer.started"]
    )
    membership = Membership.objects.get(organization=org, user=admin)

    if lose_rights == "demoted":
        change_member_role(actor=owner, membership=membership, role=Role.COLLABORATOR)
    else:
        remove_member(actor=owner, membership=membership)

    assert list(WebhookEndpoint.objects.values_list("id", flat=True)) == [kept.id]
    deleted = AuditEvent.objects.get(action="webhook:deleted")
    assert (deleted.actor, deleted.details["webhook_id"]) == (None, str(theirs.id))


@pytest.mark.parametrize("behind_the_services", ["deactivated", "demoted"])
def test_an_endpoint_hears_nothing_more_once_its_registrant_may_not_manage_webhooks(
    org, owner, admin, start, hosting, behind_the_services
):
    """Read with each change, as links are: an operator unticking "active" in /admin/, or a role
    changed by hand in the database, sends no signal."""
    services.register_webhook(actor=admin, organization=org, url=PUBLIC_URL, events=["transfer.started"])
    kept = services.register_webhook(
        actor=owner, organization=org, url=PUBLIC_URL, events=["transfer.started"]
    )
    if behind_the_services == "deactivated":
        User.objects.filter(pk=admin.pk).update(is_active=False)
    else:
        Membership.objects.filter(user=admin).update(role=Role.COLLABORATOR)

    start(owner, org, hosting)

    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [kept.id]
