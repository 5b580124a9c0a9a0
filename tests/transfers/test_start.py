"""Starting a transfer: who may, which products, and what is recorded."""

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from handover.audit.models import AuditAction, AuditEvent
from handover.errors import NotFound, PermissionDenied
from handover.organizations.models import Role
from handover.products.models import ProductStatus
from handover.terms.models import Acceptance, AcceptanceStep
from handover.transfers import errors
from handover.transfers.models import Transfer, TransferItem, TransferState
from handover.transfers.selectors import ProductFilter
from handover.transfers.services import preview_transfer, start_transfer
from tests.support import factories
from tests.support.processes import embedded_env, last_line, run_handover


def test_an_administrator_starts_a_transfer_of_several_products(start, org, admin, hosting, domain):
    started = start(admin, org, hosting, domain, note="For the new agency")

    transfer = Transfer.objects.get()
    assert started.transfer == transfer
    assert transfer.state == TransferState.PENDING
    assert transfer.created_by == admin
    assert transfer.note == "For the new agency"
    assert {i.product for i in transfer.items.all()} == {hosting, domain}
    assert started.link == f"{settings.BASE_URL}/transfers/receive/{started.token}"
    assert len(started.token) >= 43  # 256 bits, URL-safe base64
    assert started.token not in (transfer.link_hash or "")
    acceptance = Acceptance.objects.get()
    assert (acceptance.user, acceptance.organization, acceptance.step, acceptance.reference) == (
        admin,
        org,
        AcceptanceStep.START_TRANSFER,
        transfer.id,
    )
    event = AuditEvent.objects.get(action=AuditAction.TRANSFER_STARTED)
    assert event.organization == org
    assert event.details["transfer_id"] == str(transfer.id)
    assert {p["name"] for p in event.details["products"]} == {"shop.example", "example.ch"}


def test_the_expiry_follows_the_configured_time_to_live(start, org, owner, hosting, settings):
    settings.HANDOVER_TRANSFER_TTL = 3600
    transfer = start(owner, org, hosting).transfer
    assert (transfer.expires_at - transfer.created_at).total_seconds() == 3600


def _nothing_started():
    assert not Transfer.objects.exists()
    assert not TransferItem.objects.exists()
    assert not Acceptance.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSFER_STARTED).exists()


def test_a_collaborator_cannot_start_a_transfer(start, org, hosting):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    with pytest.raises(PermissionDenied):
        start(collaborator, org, hosting)
    _nothing_started()


def test_a_stranger_gets_not_found(start, org, hosting):
    with pytest.raises(NotFound):
        start(factories.make_user(), org, hosting)
    _nothing_started()


def test_products_of_another_organization_are_not_found(start, org, owner, hosting):
    other = factories.make_org("Other", owner=owner)
    foreign = factories.make_product(other)
    with pytest.raises(NotFound):
        start(owner, org, hosting, foreign)
    _nothing_started()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"accept_terms": False}, errors.TermsNotAccepted),
        ({"acknowledge_warnings": False}, errors.WarningsNotAcknowledged),
    ],
)
def test_terms_and_warnings_must_be_accepted(start, org, owner, hosting, kwargs, error):
    with pytest.raises(error) as caught:
        start(owner, org, hosting, **kwargs)
    assert caught.value.status == 422
    _nothing_started()


def test_an_empty_selection_is_refused(start, org, owner):
    with pytest.raises(errors.NoProductsSelected):
        start(owner, org)
    _nothing_started()


def test_a_product_twice_is_refused(terms, org, owner, hosting):
    with pytest.raises(errors.DuplicateProducts):
        start_transfer(
            actor=owner,
            organization=org,
            product_ids=[hosting.id, hosting.id],
            accept_terms=True,
            acknowledge_warnings=True,
        )
    _nothing_started()


@pytest.mark.parametrize(
    ("env", "maximum"), [({}, "10000"), ({"HANDOVER_MAX_PRODUCTS_PER_TRANSFER": "250"}, "250")]
)
def test_a_transfer_holds_up_to_ten_thousand_products_unless_the_environment_says(tmp_path, env, maximum):
    environment = embedded_env(tmp_path, **env)
    if not env:
        environment.pop("HANDOVER_MAX_PRODUCTS_PER_TRANSFER", None)
    code = "from django.conf import settings; print(settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER)"
    assert last_line(run_handover(environment, "shell", "--no-imports", "-c", code)) == maximum


@pytest.mark.parametrize("selection", ["ids", "filter"])
def test_more_products_than_the_maximum_are_refused(terms, org, owner, settings, selection):
    settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER = 20
    products = factories.make_products(org, 21)
    chosen = {"product_ids": [p.id for p in products]} if selection == "ids" else {"filter": ProductFilter()}
    with pytest.raises(errors.TooManyProducts) as caught:
        start_transfer(actor=owner, organization=org, accept_terms=True, acknowledge_warnings=True, **chosen)
    assert "20" in caught.value.detail
    _nothing_started()


@pytest.mark.parametrize("product_type", ["ksuite", "my_ksuite", "jelastic_cloud"])
def test_types_that_cannot_move_are_refused_with_their_reason(start, org, owner, product_type):
    product = factories.make_product(org, product_type)
    with pytest.raises(errors.ProductNotTransferable) as caught:
        start(owner, org, product)
    assert caught.value.code == "product_not_transferable"
    reason = caught.value.fields["product_ids"][str(product.id)]
    assert ("kSuite cannot be transferred" in reason) == (product_type != "jelastic_cloud")
    assert ("Jelastic" in reason) == (product_type == "jelastic_cloud")
    _nothing_started()


@pytest.mark.parametrize("status", [ProductStatus.SUSPENDED, ProductStatus.EXPIRED])
def test_suspended_and_expired_products_are_refused(start, org, owner, status):
    product = factories.make_product(org, status=status)
    with pytest.raises(errors.ProductNotTransferable):
        start(owner, org, product)
    _nothing_started()


def test_a_product_in_a_pending_transfer_cannot_enter_another(start, org, owner, hosting, domain):
    first = start(owner, org, hosting).transfer
    with pytest.raises(errors.ProductInPendingTransfer) as caught:
        start(owner, org, domain, hosting)
    assert caught.value.status == 409
    assert Transfer.objects.get() == first


def test_the_database_refuses_a_product_in_two_pending_transfers(start, org, owner, hosting):
    first = start(owner, org, hosting).transfer
    second = Transfer.objects.create(
        source_organization=org, created_by=owner, expires_at=first.expires_at, link_hash="x" * 64
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferItem.objects.create(transfer=second, product=hosting, position=1)


def test_a_locked_organization_refuses_to_start(start, org, owner, hosting):
    org.transfers_locked = True
    org.save()
    with pytest.raises(errors.TransfersLocked):
        start(owner, org, hosting)
    _nothing_started()


def test_preview_names_every_concrete_consequence_and_changes_nothing(org, owner, hosting, domain, terms):
    team = factories.make_team(org, name="Web agency")
    bob = factories.add_member(org, factories.make_user("bob@example.com", name="Bob"), Role.COLLABORATOR)
    carol = factories.add_member(
        org, factories.make_user("carol@example.com", name="Carol"), Role.COLLABORATOR
    )
    drive = factories.make_product(org, "kdrive", name="Team drive")
    mail = factories.make_product(org, "mail_service", name="mail example.ch")
    domain.linked.add(mail)
    factories.grant(hosting, bob)
    factories.grant(hosting, team)
    factories.grant(drive, carol)
    factories.make_invoice(org, hosting)

    impact = preview_transfer(actor=owner, organization=org, product_ids=[hosting.id, domain.id, drive.id])

    warnings = "\n".join(impact.warnings)
    assert "Bob will lose access to shop.example." in warnings
    assert "The team Web agency will lose its rights on shop.example." in warnings
    assert "Carol keeps using Team drive and joins the receiving Organization as a collaborator" in warnings
    assert "Linked products stay behind unless you add them: mail example.ch." in warnings
    assert "Invoices stay with the sending Organization (1 invoice line names these products)." in warnings
    assert "no interruption" in warnings
    readiness = {p.product.name: p.readiness for p in impact.products}
    assert readiness == {"shop.example": "warning", "example.ch": "ready", "Team drive": "warning"}
    assert impact.linked_left_behind == [mail]
    assert not Transfer.objects.exists()


def test_preview_marks_blocked_products_with_their_reason(org, owner, hosting, start):
    suite = factories.make_product(org, "ksuite", name="Suite")
    start(owner, org, hosting)
    impact = preview_transfer(actor=owner, organization=org, product_ids=[hosting.id, suite.id])
    blocked = {p.product.name: (p.code, p.reason) for p in impact.blocked}
    assert blocked["Suite"] == ("product_not_transferable", "kSuite cannot be transferred.")
    assert blocked["shop.example"][0] == "product_in_pending_transfer"
