"""The webhooks page under an Organization's settings: the same actions as the API, without
JavaScript (forms, and <details> to confirm), the secret shown once in the answer that made it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from handover.accounts.models import User
from handover.audit.models import AuditEvent
from handover.organizations.models import Role
from handover.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, owner):
    """The owner, who just typed their password (a secret is handed out only after a recent one)."""
    client.force_login(owner)
    assert client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD}).status_code == 302
    return client


def test_the_settings_page_leads_admins_to_the_webhooks(signed_in, org):
    page = signed_in.get(reverse("organizations:settings", args=[org.id])).content.decode()
    assert reverse("webhooks:list", args=[org.id]) in page


def test_the_settings_page_does_not_offer_webhooks_to_a_collaborator(client, org):
    client.force_login(factories.add_member(org, role=Role.COLLABORATOR))
    page = client.get(reverse("organizations:settings", args=[org.id])).content.decode()
    assert reverse("webhooks:list", args=[org.id]) not in page


def test_adding_an_endpoint_shows_its_secret_once(signed_in, org):
    url = reverse("webhooks:list", args=[org.id])
    response = signed_in.post(url, {"url": "https://93.184.215.14/hook", "events": ["transfer.completed"]})

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["transfer.completed"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in signed_in.get(url).content.decode()
    assert AuditEvent.objects.filter(action="webhook:registered", actor__isnull=False).count() == 1


def test_a_refused_address_is_said_beside_the_field(signed_in, org):
    response = signed_in.post(
        reverse("webhooks:list", args=[org.id]),
        {"url": "https://10.0.0.1/hook", "events": ["transfer.started"]},
    )
    assert response.status_code == 422
    assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_an_event(signed_in, org):
    response = signed_in.post(reverse("webhooks:list", args=[org.id]), {"url": "https://93.184.215.14/hook"})
    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_rotating_shows_the_new_secret_and_says_until_when_the_old_one_signs(signed_in, org):
    endpoint = factories.make_webhook(org)
    old = endpoint.secret
    response = signed_in.post(reverse("webhooks:rotate", args=[org.id, endpoint.id]))
    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert endpoint.secret in html and old not in html
    assert "previous secret also signs" in html
    assert endpoint.previous_secret == old


def test_deleting_asks_first_then_deletes(signed_in, org):
    endpoint = factories.make_webhook(org)
    page = signed_in.get(reverse("webhooks:list", args=[org.id])).content.decode()
    delete = reverse("webhooks:delete", args=[org.id, endpoint.id])
    assert f'href="{delete}"' in page
    question = signed_in.get(delete)
    assert question.status_code == 200 and "Nothing more is sent to it" in question.content.decode()
    assert WebhookEndpoint.objects.exists()

    response = signed_in.post(delete)

    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.filter(action="webhook:deleted").count() == 1


def test_rotating_asks_first(signed_in, org):
    endpoint = factories.make_webhook(org)
    question = signed_in.get(reverse("webhooks:rotate", args=[org.id, endpoint.id]))
    assert question.status_code == 200 and "24 hours" in question.content.decode()
    assert WebhookEndpoint.objects.get().secret == endpoint.secret


def test_adding_an_endpoint_needs_a_recent_password(client, owner, org):
    client.force_login(owner)  # a session with no password typed recently
    response = client.post(
        reverse("webhooks:list", args=[org.id]),
        {"url": "https://93.184.215.14/hook", "events": ["transfer.started"]},
    )
    assert response.status_code == 302 and reverse("account_reauthenticate") in response["Location"]
    assert not WebhookEndpoint.objects.exists()


def test_the_deliveries_page_lists_every_attempt_in_a_fixed_number_of_queries(
    signed_in, org, owner, start, webhook_receiver, run_tasks, django_assert_max_num_queries
):
    endpoint = factories.make_webhook(org, webhook_receiver.url())
    webhook_receiver.statuses = [502]
    for product in factories.make_products(org, 5):
        start(owner, org, product)
    run_tasks()
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        run_tasks()
    url = reverse("webhooks:deliveries", args=[org.id, endpoint.id])
    signed_in.get(url)  # the session's first page of the Organization records it as used

    with django_assert_max_num_queries(10):
        response = signed_in.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("transfer.started") == 5
    assert "(502)" in html and html.count("(200)") == 5
    assert "Deliveries are kept 30 days." in html


def test_the_operator_admin_shows_endpoints_without_their_secrets(client, org, owner, start, hosting):
    endpoint = factories.make_webhook(org)
    start(owner, org, hosting)
    operator = User.objects.create_superuser(email="operator@example.com", password="operator-password")
    client.force_login(operator)
    pages = [
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.id]),
        reverse("admin:webhooks_webhookendpoint_changelist"),
        reverse("admin:webhooks_webhookdelivery_change", args=[WebhookDelivery.objects.get().id]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert endpoint.secret not in response.content.decode()
    assert client.get(reverse("admin:webhooks_webhookendpoint_add")).status_code == 403
