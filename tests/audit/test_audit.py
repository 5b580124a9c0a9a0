"""The audit log: who may read it, its filters, its pages and its CSV export."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from handover.audit.errors import InvalidDateRange, UnknownAuditAction
from handover.audit.filters import AuditFilter
from handover.audit.models import AuditAction, AuditEvent
from handover.audit.selectors import audit_events_for_organization
from handover.audit.services import Event, record_event, record_events
from handover.errors import NotFound, PermissionDenied
from handover.organizations.models import Role
from tests.support import factories

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, tzinfo=datetime.UTC)


def make_event(org, action=AuditAction.PRODUCT_CREATED, *, actor=None, target=None, when=None, details=None):
    event = record_event(actor=actor, organization=org, action=action, target=target, details=details)
    if when is not None:
        AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event


# The selector


def test_admins_read_their_organizations_events_newest_first(owner, org):
    old = make_event(org, when=at(1))
    new = make_event(org, when=at(2))
    make_event(factories.make_org(), when=at(3))
    administrator = factories.add_member(org, role=Role.ADMINISTRATOR)

    assert list(audit_events_for_organization(user=owner, organization=org)) == [new, old]
    assert list(audit_events_for_organization(user=administrator, organization=org)) == [new, old]


def test_collaborators_and_strangers_cannot_read_the_log(org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    with pytest.raises(PermissionDenied):
        audit_events_for_organization(user=collaborator, organization=org)
    with pytest.raises(NotFound):
        audit_events_for_organization(user=factories.make_user(), organization=org)


def filtered(user, organization, **filters):
    """The events `user` reads in `organization` with these query parameters."""
    query = {
        name: value.isoformat() if isinstance(value, datetime.date) else str(value)
        for name, value in filters.items()
    }
    return audit_events_for_organization(user=user, organization=organization, filters=AuditFilter(query))


def test_filters_by_action_actor_dates_and_target(owner, org):
    product = factories.make_product(org)
    member = factories.add_member(org, factories.make_user("alice@example.com"))
    created = make_event(org, actor=owner, target=product, when=at(1))
    granted = make_event(
        org, AuditAction.PRODUCT_ACCESS_GRANTED, actor=member, target=product, when=at(2, 23)
    )
    renamed = make_event(org, AuditAction.ORGANIZATION_RENAMED, actor=owner, target=org, when=at(3, 0))

    def found(**filters) -> list:
        return list(filtered(owner, org, **filters))

    assert found(action=AuditAction.PRODUCT_ACCESS_GRANTED) == [granted]
    assert found(actor="ALICE@") == [granted]
    assert found(actor="owner@example.com") == [renamed, created]
    assert found(since=datetime.date(2026, 3, 2)) == [renamed, granted]
    assert found(until=datetime.date(2026, 3, 2)) == [granted, created]
    assert found(since=datetime.date(2026, 3, 2), until=datetime.date(2026, 3, 2)) == [granted]
    assert found(target_id=str(product.id)) == [granted, created]
    assert found(target_id=str(product.id), actor="alice") == [granted]


def test_bad_filters_are_refused_clearly(owner, org):
    with pytest.raises(UnknownAuditAction) as caught:
        filtered(owner, org, action="product:eaten")
    assert caught.value.fields == {"action": "Unknown action “product:eaten”."}
    with pytest.raises(InvalidDateRange) as caught:
        filtered(owner, org, since=datetime.date(2026, 3, 2), until=datetime.date(2026, 3, 1))
    assert caught.value.fields == {"until": str(InvalidDateRange.message)}


def test_record_events_writes_many_rows_in_one_statement(owner, org, django_assert_num_queries):
    products = factories.make_products(org, 30)
    with django_assert_num_queries(1):
        record_events(
            actor=owner,
            events=[Event(org, AuditAction.PRODUCT_CREATED, p, {"n": i}) for i, p in enumerate(products)],
        )
    assert AuditEvent.objects.filter(actor_label=owner.email).count() == 30


# The page


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def events_url(org, **query) -> str:
    from urllib.parse import urlencode

    url = reverse("audit:events", args=[org.id])
    return f"{url}?{urlencode(query)}" if query else url


def export_url(org, **query) -> str:
    from urllib.parse import urlencode

    url = reverse("audit:export", args=[org.id])
    return f"{url}?{urlencode(query)}" if query else url


def test_the_log_page_lists_events_with_actor_action_target_details_and_ip(admin_client, owner, org):
    product = factories.make_product(org, name="shop.example")
    make_event(org, AuditAction.PRODUCT_ACCESS_GRANTED, actor=owner, target=product, details={"level": "use"})
    make_event(org, AuditAction.INVOICE_ISSUED)

    response = admin_client.get(events_url(org))

    assert response.status_code == 200
    assert response.context["nav"] == "audit"
    page = response.content.decode()
    assert "Product access granted" in page
    assert "product_access:granted" in page
    assert owner.email in page
    assert "shop.example" in page
    assert str(product.id) in page
    assert "the “Use” right on shop.example." in page  # a sentence
    assert "level:" not in page  # not the raw details (tests/audit/test_sentences.py)
    assert "System" in page
    assert export_url(org) in page


def test_the_log_page_applies_its_filters_and_keeps_them_in_the_export_link(admin_client, owner, org):
    make_event(org, AuditAction.PRODUCT_CREATED, actor=owner, when=at(1))
    wanted = make_event(org, AuditAction.ORGANIZATION_RENAMED, actor=owner, when=at(2))

    response = admin_client.get(events_url(org, action="organization:renamed", since="2026-03-02"))

    assert list(response.context["page"]) == [wanted]
    assert "action=organization%3Arenamed&amp;since=2026-03-02" in response.content.decode()


def test_invalid_filters_are_reported_and_ignored(admin_client, org):
    event = make_event(org)

    response = admin_client.get(events_url(org, action="nope", since="2026-03-05", until="2026-03-01"))

    assert response.status_code == 200
    assert list(response.context["page"]) == [event]
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "The end of the date range is before its start." in page


def test_out_of_range_dates_are_refused_with_their_field(admin_client, org):
    event = make_event(org)

    response = admin_client.get(events_url(org, since="2026-03-01", until="9999-12-31"))

    assert list(response.context["page"]) == [event]  # shown as refused, the other filters applied
    assert response.context["filters"].form.errors["until"] == [
        "Ensure this value is less than or equal to 9999-12-30."
    ]
    assert 'aria-describedby="id_until_error"' in response.content.decode()
    assert admin_client.get(events_url(org, since="9999-12-31")).context["filters"].form.errors["since"]


def test_the_log_is_paginated_by_fifty(admin_client, org):
    record_events(actor=None, events=[Event(org, AuditAction.PRODUCT_CREATED) for _ in range(60)])
    assert len(admin_client.get(events_url(org)).context["page"]) == 50
    assert len(admin_client.get(events_url(org, page=2)).context["page"]) == 10


@pytest.mark.parametrize("rows", [5, 50])
def test_the_log_page_makes_the_same_queries_for_5_and_50_rows(
    admin_client, owner, org, rows, django_assert_num_queries
):
    products = factories.make_products(org, rows)
    record_events(
        actor=owner, events=[Event(org, AuditAction.PRODUCT_CREATED, p, {"type": "x"}) for p in products]
    )
    admin_client.get(events_url(org))

    # session, user, membership x2, count, page, sidebar: memberships, pending transfers
    with django_assert_num_queries(8):
        response = admin_client.get(events_url(org))
    assert len(response.context["page"]) == rows


def test_collaborators_get_403_on_the_log_and_its_export(client, org):
    make_event(org)
    client.force_login(factories.add_member(org, role=Role.COLLABORATOR))
    assert client.get(events_url(org)).status_code == 403
    assert client.get(export_url(org)).status_code == 403


def test_strangers_get_404_on_the_log_and_its_export(client, org):
    make_event(org)
    stranger = factories.make_user()
    factories.make_org(owner=stranger)
    client.force_login(stranger)
    assert client.get(events_url(org)).status_code == 404
    assert client.get(export_url(org)).status_code == 404


# The CSV export


def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_export_is_the_filtered_log_as_csv(admin_client, owner, org):
    product = factories.make_product(org, name="shop.example")
    make_event(org, AuditAction.ORGANIZATION_RENAMED, actor=owner, target=org, when=at(1))
    granted = make_event(
        org,
        AuditAction.PRODUCT_ACCESS_GRANTED,
        actor=owner,
        target=product,
        when=at(2),
        details={"level": "use"},
    )
    AuditEvent.objects.filter(pk=granted.pk).update(ip="198.51.100.4")

    response = admin_client.get(export_url(org, action="product_access:granted"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-source-sa-')
    assert read_csv(response) == [
        {
            "created_at": at(2).isoformat(),
            "action": "product_access:granted",
            "actor": owner.email,
            "target_type": "product",
            "target_id": str(product.id),
            "target": "shop.example",
            "details": json.dumps({"level": "use"}),
            "ip": "198.51.100.4",
        }
    ]


def test_out_of_range_dates_are_refused_with_their_field_by_the_export(admin_client, org):
    make_event(org)

    response = admin_client.get(export_url(org, until="9999-12-31"))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assertContains(response, "Ensure this value is less than or equal to 9999-12-30.", status_code=400)


def test_an_export_with_a_refused_filter_exports_nothing_and_says_why(admin_client, org):
    make_event(org)

    response = admin_client.get(export_url(org, action="nope"))

    assertContains(response, "Select a valid choice", status_code=400)


def test_the_export_includes_every_event_not_only_one_page(admin_client, org):
    record_events(actor=None, events=[Event(org, AuditAction.PRODUCT_CREATED) for _ in range(120)])
    assert len(read_csv(admin_client.get(export_url(org)))) == 120


def test_the_export_neutralises_spreadsheet_formulas(admin_client, org):
    product = factories.make_product(org, name='=HYPERLINK("http://evil.example")')
    make_event(org, target=product)

    [row] = read_csv(admin_client.get(export_url(org)))

    assert row["target"] == '\'=HYPERLINK("http://evil.example")'


def test_the_export_of_an_empty_log_has_its_header(admin_client, org):
    response = admin_client.get(export_url(org, actor="nobody"))
    body = b"".join(response.streaming_content).decode()
    assert body.strip() == "created_at,action,actor,target_type,target_id,target,details,ip"


def test_recorded_events_keep_the_actor_email_after_the_user_is_gone(owner, org):
    event = make_event(org, actor=owner, when=timezone.now())
    owner.delete()
    event.refresh_from_db()
    assert (event.actor, event.actor_label) == (None, "owner@example.com")
