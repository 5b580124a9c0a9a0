"""General conditions: the version in force, publishing, acceptances, and the public page."""

import datetime
import importlib
import uuid

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from handover.audit.context import client_ip
from handover.audit.models import AuditAction, AuditEvent
from handover.errors import NotFound
from handover.organizations.models import Role
from handover.terms.errors import (
    ConditionsVersionTaken,
    InvalidConditions,
    NoConditionsPublished,
    UnknownAcceptanceStep,
)
from handover.terms.models import Acceptance, AcceptanceStep, GeneralConditions
from handover.terms.selectors import current_conditions
from handover.terms.services import publish_conditions, record_acceptance
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_current_conditions_is_the_latest_published_version():
    publish_conditions(version="2025-06", title="Conditions", body="Old text.")
    newest = publish_conditions(version="2026-01", title="Conditions", body="New text.")
    assert current_conditions() == newest


def test_current_conditions_says_clearly_that_none_is_published():
    with pytest.raises(NoConditionsPublished) as caught:
        current_conditions()
    assert "No general conditions are published" in caught.value.detail


def test_publishing_refuses_a_known_version_and_empty_fields():
    publish_conditions(version="2026-01", title="Conditions", body="Text.")
    with pytest.raises(ConditionsVersionTaken):
        publish_conditions(version="2026-01", title="Again", body="Text.")
    for bad in [{"version": " "}, {"title": ""}, {"body": "\n"}, {"version": "v" * 21}]:
        with pytest.raises(InvalidConditions):
            publish_conditions(**{"version": "2026-02", "title": "T", "body": "B", **bad})
    assert GeneralConditions.objects.count() == 1


def test_record_acceptance_keeps_who_where_which_version_when_step_and_ip(owner, org, terms):
    transfer_id = uuid.uuid4()
    token = client_ip.set("203.0.113.7")
    try:
        acceptance = record_acceptance(
            user=owner, organization=org, step=AcceptanceStep.START_TRANSFER, reference=transfer_id
        )
    finally:
        client_ip.reset(token)

    acceptance.refresh_from_db()
    assert (acceptance.user, acceptance.organization, acceptance.conditions) == (owner, org, terms)
    assert (acceptance.step, acceptance.reference, acceptance.ip) == (
        "start_transfer",
        transfer_id,
        "203.0.113.7",
    )
    assert abs(acceptance.accepted_at - timezone.now()) < datetime.timedelta(seconds=5)
    [event] = AuditEvent.objects.filter(action=AuditAction.TERMS_ACCEPTED)
    assert (event.organization, event.actor, event.ip) == (org, owner, "203.0.113.7")
    assert event.details == {
        "version": terms.version,
        "step": "start_transfer",
        "reference": str(transfer_id),
    }


def test_record_acceptance_records_the_version_in_force_at_that_time(owner, org, terms):
    first = record_acceptance(user=owner, organization=org, step=AcceptanceStep.RECEIVE_TRANSFER)
    newer = publish_conditions(version="2.0", title="Conditions", body="Changed.")
    second = record_acceptance(user=owner, organization=org, step=AcceptanceStep.RECEIVE_TRANSFER)
    assert (first.conditions, second.conditions) == (terms, newer)
    assert first.ip is None and first.reference is None


def test_record_acceptance_refuses_without_published_conditions(owner, org):
    with pytest.raises(NoConditionsPublished):
        record_acceptance(user=owner, organization=org, step=AcceptanceStep.START_TRANSFER)
    assert not Acceptance.objects.exists()


def test_record_acceptance_refuses_an_unknown_step_and_a_non_member(owner, org, terms):
    with pytest.raises(UnknownAcceptanceStep):
        record_acceptance(user=owner, organization=org, step="lunch")
    with pytest.raises(NotFound):
        record_acceptance(user=factories.make_user(), organization=org, step=AcceptanceStep.SIGN_UP)
    assert not Acceptance.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_collaborator_acceptance_is_recorded_too(org, terms):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    assert (
        record_acceptance(user=collaborator, organization=org, step=AcceptanceStep.SIGN_UP).user
        == collaborator
    )


def test_the_data_migration_publishes_version_2026_01_once():
    migration = importlib.import_module("handover.terms.migrations.0002_publish_2026_01")

    migration.publish(django_apps, None)
    migration.publish(django_apps, None)

    conditions = current_conditions()
    assert conditions.version == "2026-01"
    assert GeneralConditions.objects.count() == 1
    for promise in ("Invoices are not transferred", "lose that access", "kSuite", "not interrupted"):
        assert promise in conditions.body


# The page


def test_the_terms_page_shows_the_current_text_and_version_to_anyone(client, terms):
    newest = publish_conditions(
        version="2026-01", title="General conditions", body="First article.\n\nSecond."
    )

    response = client.get(reverse("terms:current"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Version 2026-01" in page
    assert "<p>First article.</p>" in page
    assert newest.title in page


def test_the_terms_page_for_a_signed_in_user(client, owner, terms):
    client.force_login(owner)
    response = client.get(reverse("terms:current"))
    assert response.status_code == 200
    assert f"Version {terms.version}" in response.content.decode()


def test_the_terms_page_without_published_conditions_is_a_clear_error(client):
    response = client.get(reverse("terms:current"))
    assert response.status_code == 503
    assert "No general conditions are published" in response.content.decode()
