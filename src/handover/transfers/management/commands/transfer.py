"""`handover transfer list ORG [--state S]`, `transfer products ID`, `transfer history PRODUCT`,
`transfer cancel ID`, `transfer expire`, for operators."""

import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext

from handover.errors import DomainError
from handover.organizations.selectors import organization_get_by_ref
from handover.products.selectors import product_get_by_id
from handover.transfers.api import TransferOut, TransferProduct
from handover.transfers.filters import TransferFilter
from handover.transfers.models import Transfer, TransferState
from handover.transfers.selectors import (
    product_holder_at,
    product_transfer_history,
    transfer_get,
    transfer_items,
    transfers_for_organization,
)
from handover.transfers.services import cancel_transfer, expire_due_transfers


class Command(BaseCommand):
    help = "List, inspect, cancel and expire product transfers; tell where a product was when."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("list", help="An Organization's transfers, newest first.")
        listing.add_argument("organization", metavar="ORG", help="The Organization's id or exact name.")
        listing.add_argument("--state", choices=TransferState.values)
        listing.add_argument("--json", action="store_true", help="Print the API's shapes.")
        products = verbs.add_parser("products", help="The products of a transfer, by name.")
        products.add_argument("transfer_id", metavar="ID")
        products.add_argument("--limit", type=int, default=50, help="How many, at most (0: all).")
        products.add_argument("--offset", type=int, default=0, help="How many to skip.")
        products.add_argument("--json", action="store_true", help="Print the API's {items, count}.")
        history = verbs.add_parser("history", help="The transfers that held a product, oldest first.")
        history.add_argument("product_id", metavar="PRODUCT")
        history.add_argument("--at", help="An instant (ISO 8601): print the Organization that held it then.")
        history.add_argument("--json", action="store_true", help="Print JSON.")
        cancel = verbs.add_parser("cancel", help="Cancel a pending transfer.")
        cancel.add_argument("transfer_id", metavar="ID")
        cancel.add_argument("--reason", default="Cancelled by an operator.")
        cancel.add_argument("--json", action="store_true", help="Print the API's shape.")
        expire = verbs.add_parser("expire", help="Expire every pending transfer past its expiry now.")
        expire.add_argument("--json", action="store_true", help="Print the count as JSON.")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            getattr(self, f"_{verb}")(**options)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    def _print(self, as_json: bool, data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, indent=2) if as_json else text)

    def _list(self, *, organization: str, state: str | None, json: bool, **options: Any) -> None:
        transfers = list(
            transfers_for_organization(
                organization=organization_get_by_ref(ref=organization),
                filters=TransferFilter({"state": state or ""}),
            )
        )
        rows = [_row(t) for t in transfers]
        self._print(json, [_shape(t) for t in transfers], "\n".join(rows) or "No transfers.")

    def _products(self, *, transfer_id: str, limit: int, offset: int, json: bool, **options: Any) -> None:
        if limit < 0 or offset < 0:
            raise CommandError("--limit and --offset cannot be negative.")
        transfer = transfer_get(transfer_id=transfer_id)
        page = transfer_items(transfer=transfer)[offset : offset + limit if limit else None]
        items = [TransferProduct.from_orm(item).model_dump(mode="json") for item in page]
        rows = [f"{p['id']}  {p['type']:<16}  {p['name']}" for p in items]
        rows.append(f"{len(items)} of the transfer's {transfer.product_count} products (from {offset}).")
        self._print(json, {"items": items, "count": transfer.product_count}, "\n".join(rows))

    def _history(self, *, product_id: str, at: str | None, json: bool, **options: Any) -> None:
        product = product_get_by_id(product_id=product_id)
        if at is not None:
            self._holder(product, at, json)
            return
        transfers = [item.transfer for item in product_transfer_history(product_id=product.pk)]
        rows = [
            f"{t.created_at:%Y-%m-%d %H:%M}  {t.current_state:<9}  {t.source_organization.name} → "
            f"{t.destination_organization or '…'}  ({t.id})"
            for t in transfers
        ]
        text = "\n".join(rows) or f"{product.name} was never in a transfer."
        self._print(json, [_move(t) for t in transfers], text)

    def _holder(self, product: Any, at: str, as_json: bool) -> None:
        when = parse_datetime(at)
        if when is None:
            raise CommandError(f"Not an instant: {at} (ISO 8601, e.g. 2025-01-31T12:00:00+01:00).")
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        holder = product_holder_at(product=product, when=when)
        shape = {"id": str(holder.id), "name": holder.name} if holder else None
        text = f"{holder.name} ({holder.id})" if holder else f"{product.name} did not exist yet."
        self._print(as_json, shape, text)

    def _cancel(self, *, transfer_id: str, reason: str, json: bool, **options: Any) -> None:
        transfer = cancel_transfer(actor=None, transfer=transfer_get(transfer_id=transfer_id), reason=reason)
        self._print(json, _shape(transfer), f"Cancelled {transfer.id}.")

    def _expire(self, *, json: bool, **options: Any) -> None:
        count = expire_due_transfers()
        self._print(json, {"expired": count}, f"Expired {count} transfers.")


def _shape(transfer: Transfer) -> dict[str, Any]:
    return TransferOut.from_orm(transfer).model_dump(mode="json")


def _row(transfer: Transfer) -> str:
    count = transfer.product_count
    products = ngettext("%(n)s product", "%(n)s products", count) % {"n": count}
    return (
        f"{transfer.id}  {transfer.current_state:<9}  {transfer.created_at:%Y-%m-%d %H:%M}  "
        f"{transfer.source_organization.name} → {transfer.destination_organization or '…'}  ({products})"
    )


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def _move(transfer: Transfer) -> dict[str, Any]:
    """One transfer in a product's history."""
    destination = transfer.destination_organization
    return {
        "id": str(transfer.id),
        "state": transfer.current_state,
        "source_organization": {
            "id": str(transfer.source_organization_id),
            "name": transfer.source_organization.name,
        },
        "destination_organization": {"id": str(destination.id), "name": destination.name}
        if destination
        else None,
        "created_at": _iso(transfer.created_at),
        "completed_at": _iso(transfer.completed_at),
        "ended_at": _iso(transfer.ended_at),
    }
