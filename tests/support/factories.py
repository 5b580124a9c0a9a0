"""Plain factory functions: each makes one valid object with sensible defaults, through the models."""

import itertools
import uuid
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from handover.accounts.models import User
from handover.accounts.services import create_api_token
from handover.billing.models import Invoice, InvoiceLine
from handover.organizations.models import Membership, Organization, Role, Team
from handover.products.models import AccessLevel, Product, ProductAccess, ProductStatus
from handover.terms.models import GeneralConditions
from handover.transfers.models import Transfer, TransferItem
from handover.webhooks.models import EventType, WebhookEndpoint
from handover.webhooks.signing import new_secret

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(email: str | None = None, *, name: str = "", password: str = PASSWORD) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        email=email or f"user{n}@example.com", password=password, name=name or f"User {n}"
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def make_org(name: str | None = None, *, owner: User | None = None) -> Organization:
    organization = Organization.objects.create(name=name or f"Org {next(_seq)}")
    if owner is not None:
        Membership.objects.create(organization=organization, user=owner, role=Role.LEGAL_REPRESENTATIVE)
    return organization


def add_member(organization: Organization, user: User | None = None, role: str = Role.ADMINISTRATOR) -> User:
    user = user or make_user()
    Membership.objects.create(organization=organization, user=user, role=role)
    return user


def make_team(organization: Organization, *members: User, name: str | None = None) -> Team:
    team = Team.objects.create(organization=organization, name=name or f"Team {next(_seq)}")
    team.members.add(*members)
    return team


def make_product(
    organization: Organization,
    type: str = "web_hosting",
    *,
    name: str | None = None,
    status: str = ProductStatus.ACTIVE,
) -> Product:
    n = next(_seq)
    return Product.objects.create(
        organization=organization,
        type=type,
        name=name or f"{type}-{n}.example",
        status=status,
        service_ref=f"svc-{uuid.uuid4().hex[:16]}",
    )


def make_products(organization: Organization, count: int, type: str = "web_hosting") -> list[Product]:
    return Product.objects.bulk_create(
        Product(
            organization=organization,
            type=type,
            name=f"{type}-{i}",
            service_ref=f"svc-{uuid.uuid4().hex[:16]}",
        )
        for i in range(count)
    )


def grant(product: Product, who: User | Team, level: str = AccessLevel.MANAGE) -> ProductAccess:
    if isinstance(who, Team):
        return ProductAccess.objects.create(product=product, team=who, level=level)
    return ProductAccess.objects.create(product=product, user=who, level=level)


def make_invoice(organization: Organization, *products: Product, number: str | None = None) -> Invoice:
    invoice = Invoice.objects.create(organization=organization, number=number or f"INV-{next(_seq):06d}")
    for product in products:
        InvoiceLine.objects.create(
            invoice=invoice,
            product=product,
            description=f"{product.name} — 1 year",
            amount="120.00",
        )
    return invoice


def make_terms(version: str = "1.0") -> GeneralConditions:
    conditions, _ = GeneralConditions.objects.get_or_create(
        version=version,
        defaults={"title": "General conditions", "body": "The general conditions of the provider."},
    )
    return conditions


def api_headers(user: User) -> dict[str, str]:
    """Headers authenticating as `user` with a new personal API token."""
    _, secret = create_api_token(user=user, name="tests")
    return {"Authorization": f"Bearer {secret}"}


def make_pending_transfer(organization: Organization, created_by: User, *products: Product) -> Transfer:
    """A pending transfer of `products` written directly as rows (no service, no link, no events)."""
    transfer = Transfer.objects.create(
        source_organization=organization,
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=7),
        product_count=len(products),
    )
    ranked = sorted(products, key=lambda p: (p.name, str(p.pk)))
    TransferItem.objects.bulk_create(
        TransferItem(transfer=transfer, product=p, position=n) for n, p in enumerate(ranked, start=1)
    )
    return transfer


def make_webhook(
    organization: Organization,
    url: str = "https://hooks.example.com/handover",
    *,
    events: list[str] | None = None,
) -> WebhookEndpoint:
    """An endpoint written directly as a row (no address check, no audit event), with a new secret."""
    return WebhookEndpoint.objects.create(
        organization=organization, url=url, events=events or EventType.values, secret=new_secret()
    )
