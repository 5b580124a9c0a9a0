"""`handover access grant PRODUCT EMAIL --level manage|use` and `handover access revoke PRODUCT EMAIL`,
for operators. PRODUCT is a product's id; EMAIL a member of the product's Organization."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handover.accounts.selectors import user_get_by_email
from handover.errors import DomainError
from handover.products.api import access_out
from handover.products.models import AccessLevel
from handover.products.selectors import access_get_for_user, product_get_by_id
from handover.products.services import grant_access, revoke_access


class Command(BaseCommand):
    help = "Grant or revoke a member's right on a product."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        grant = verbs.add_parser(
            "grant", help="Give a member a right on a product (or change it). Prints the access id."
        )
        grant.add_argument("product", metavar="PRODUCT", help="The product's id.")
        grant.add_argument("email", metavar="EMAIL", help="A member of the product's Organization.")
        grant.add_argument(
            "--level", required=True, metavar="LEVEL", help=" or ".join(AccessLevel.values) + "."
        )
        grant.add_argument("--json", action="store_true", help="Print the access as JSON.")
        revoke = verbs.add_parser("revoke", help="Remove a member's own right on a product.")
        revoke.add_argument("product", metavar="PRODUCT", help="The product's id.")
        revoke.add_argument("email", metavar="EMAIL")
        revoke.add_argument("--json", action="store_true", help="Print the removed access as JSON.")

    def handle(self, *args: Any, verb: str, product: str, email: str, **options: Any) -> None:
        try:
            target = product_get_by_id(product_id=product)
            user = user_get_by_email(email=email)
            if verb == "grant":
                access = grant_access(actor=None, product=target, level=options["level"], user=user)
                shape, text = access_out(access), str(access.id)
            else:
                access = access_get_for_user(product=target, user=user)
                shape = access_out(access)  # before the row, and its id, are gone
                revoke_access(actor=None, access=access)
                text = f"{user.email} no longer has a right on {target.name}."
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(json.dumps(shape, indent=2) if options["json"] else text)
