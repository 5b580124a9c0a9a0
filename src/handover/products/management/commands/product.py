"""`handover product create ORG --type TYPE --name NAME [--count N] [--status S]`, for operators.
ORG is an Organization's id or exact name."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handover.errors import DomainError
from handover.organizations.selectors import organization_get_by_ref
from handover.products.api import product_out
from handover.products.catalogue import product_types
from handover.products.models import ProductStatus
from handover.products.services import create_product, create_products


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--renews-on must be a date as YYYY-MM-DD, not {value!r}.") from exc


class Command(BaseCommand):
    help = "Manage the products of Organizations."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser(
            "create", help="Create a product, or with --count N products NAME-1…NAME-N. Prints their ids."
        )
        create.add_argument("organization", metavar="ORG", help="The Organization's id or exact name.")
        create.add_argument(
            "--type", required=True, metavar="TYPE", help=f"One of: {', '.join(product_types())}."
        )
        create.add_argument(
            "--name", required=True, metavar="NAME", help="Its display name, e.g. the domain."
        )
        create.add_argument("--count", type=int, metavar="N", help="Create N products named NAME-1…NAME-N.")
        create.add_argument(
            "--status",
            default=ProductStatus.ACTIVE,
            metavar="S",
            help=f"One of: {', '.join(ProductStatus.values)} (default: active).",
        )
        create.add_argument("--renews-on", metavar="YYYY-MM-DD", help="Its renewal date (single product).")
        create.add_argument(
            "--json", action="store_true", help="Print the API's shape: an object, or a list with --count."
        )

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            self._create(**options)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    def _create(
        self,
        *,
        organization: str,
        type: str,
        name: str,
        count: int | None,
        status: str,
        renews_on: str | None,
        json: bool,
        **options: Any,
    ) -> None:
        target = organization_get_by_ref(ref=organization)
        if count is None:
            product = create_product(
                actor=None,
                organization=target,
                type=type,
                name=name,
                status=status,
                renews_on=_date(renews_on) if renews_on else None,
            )
            self._print(json, product_out(product), str(product.id))
            return
        if renews_on:
            raise CommandError("--renews-on applies to a single product, not with --count.")
        products = create_products(
            actor=None, organization=target, type=type, name=name, count=count, status=status
        )
        self._print(json, [product_out(p) for p in products], "\n".join(str(p.id) for p in products))

    def _print(self, as_json: bool, shape: Any, text: str) -> None:
        self.stdout.write(json.dumps(shape, indent=2) if as_json else text)
