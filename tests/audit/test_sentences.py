"""The audit log page reads as sentences, one per event, in the reader's language: no raw details, no
state a transfer had when it was recorded, dates in the reader's format, pages with their numbers."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from handover.audit.models import AuditAction, AuditEvent
from handover.audit.sentences import SENTENCES, sentence
from handover.audit.services import Event, record_events
from handover.organizations.models import Membership, Role
from handover.organizations.services import add_member, change_member_role, rename_organization
from handover.products.services import grant_access, revoke_access
from handover.transfers.services import receive_transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(client, owner):
    client.force_login(owner)
    return lambda org, **query: client.get(reverse("audit:events", args=[org.id]), query)


def test_every_recorded_action_has_its_sentence():
    recorded = set(AuditAction.values) - {
        AuditAction.TRANSFER_LINK_USED,  # recorded by no service (kept for older logs)
        AuditAction.PRODUCT_TRANSFERRED_OUT,
        AuditAction.PRODUCT_TRANSFERRED_IN,
    }
    assert recorded <= set(SENTENCES)


def test_a_transfer_reads_as_sentences_and_no_longer_pending_once_completed(
    log, start, org, owner, recipient, destination, hosting
):
    started = start(owner, org, hosting)
    receive_transfer(actor=recipient, token=started.token, accept_terms=True, destination=destination)

    html = log(org).content.decode()

    assert "Started a transfer of 1 product: shop.example." in html
    assert "Transferred 1 product to Destination GmbH: shop.example." in html
    assert "(pending)" not in html
    assert "transfer_id" not in html and "{&#x27;" not in html
    detail = reverse("transfers:detail", args=[org.id, started.transfer.id])
    assert f'href="{detail}"' in html  # the object: the transfer's page


def test_people_and_rights_read_as_sentences(log, owner, org, admin, hosting):
    rename_organization(actor=owner, organization=org, name="Source Holding SA")
    add_member(actor=owner, organization=org, email="ana@example.com", role=Role.COLLABORATOR)
    right = grant_access(actor=owner, product=hosting, level="use", user=admin)
    revoke_access(actor=owner, access=right)

    html = log(org).content.decode()

    assert escape("Renamed the Organization from “Source SA” to “Source Holding SA”.") in html
    assert "Invited ana@example.com as Collaborator." in html
    assert escape("Gave admin@example.com the “Use” right on shop.example.") in html
    assert escape("Took the “Use” right on shop.example away from admin@example.com.") in html


def test_a_role_change_says_both_roles(owner, org, admin):
    membership = Membership.objects.get(organization=org, user=admin)
    change_member_role(actor=owner, membership=membership, role=Role.COLLABORATOR)
    event = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP_ROLE_CHANGED)
    assert sentence(event) == "Changed the role of admin@example.com from Administrator to Collaborator."


def test_the_dates_are_in_the_readers_language(client, log, owner, org):
    rename_organization(actor=owner, organization=org, name="Source Holding SA")
    event = AuditEvent.objects.get()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    html = log(org).content.decode()

    with translation.override("fr"):
        shown = formats.date_format(timezone.localtime(event.created_at), "DATETIME_FORMAT")
        assert escape(shown) in html
        assert escape(sentence(event)) in html
    assert event.created_at.strftime("%Y-%m-%d %H:%M:%S") not in html


def test_the_log_has_numbered_pages(log, org):
    record_events(actor=None, events=[Event(org, AuditAction.TEAM_CREATED) for _ in range(160)])
    html = log(org, page=2).content.decode()
    assert (
        '<span aria-current="page" class="current"><span class="visually-hidden">Page </span>2</span>' in html
    )
    for number in (1, 3, 4):
        assert f'href="?page={number}"' in html


def test_each_its_events_link_is_named_after_its_object_in_the_readers_language(
    client, log, start, org, owner, admin, hosting
):
    started = start(owner, org, hosting)
    grant_access(actor=owner, product=hosting, level="use", user=admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    html = log(org).content.decode()

    assert f'<span class="visually-hidden"> ({hosting.name})</span>' in html
    assert f'<span class="visually-hidden"> (le transfert {str(started.transfer.id)[:8]})</span>' in html
    assert "(product " not in html and "(transfer " not in html
