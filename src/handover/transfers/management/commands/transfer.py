"""`handover transfer list ORG [--state S]`, `transfer cancel ID`, `transfer expire`, for operators."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from handover.errors import DomainError
from handover.organizations.selectors import organization_get_by_ref
from handover.transfers.api import TransferOut
from handover.transfers.filters import TransferFilter
from handover.transfers.models import Transfer, TransferState
from handover.transfers.selectors import transfer_get, transfers_for_organization
from handover.transfers.services import cancel_transfer, expire_due_transfers


class Command(BaseCommand):
    help = "List, cancel and expire product transfers."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("list", help="An Organization's transfers, newest first.")
        listing.add_argument("organization", metavar="ORG", help="The Organization's id or exact name.")
        listing.add_argument("--state", choices=TransferState.values)
        listing.add_argument("--json", action="store_true", help="Print the API's shapes.")
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

    def _cancel(self, *, transfer_id: str, reason: str, json: bool, **options: Any) -> None:
        transfer = cancel_transfer(actor=None, transfer=transfer_get(transfer_id=transfer_id), reason=reason)
        self._print(json, _shape(transfer), f"Cancelled {transfer.id}.")

    def _expire(self, *, json: bool, **options: Any) -> None:
        count = expire_due_transfers()
        self._print(json, {"expired": count}, f"Expired {count} transfers.")


def _shape(transfer: Transfer) -> dict[str, Any]:
    return TransferOut.from_orm(transfer).model_dump(mode="json")


def _row(transfer: Transfer) -> str:
    count = len(transfer.items.all())
    products = ngettext("%(n)s product", "%(n)s products", count) % {"n": count}
    return (
        f"{transfer.id}  {transfer.current_state:<9}  {transfer.created_at:%Y-%m-%d %H:%M}  "
        f"{transfer.source_organization.name} → {transfer.destination_organization or '…'}  ({products})"
    )
