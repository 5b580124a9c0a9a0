"""`handover token create EMAIL [--name LABEL] [--json]`: a personal API token, printed once."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handover.accounts.api import TokenCreatedOut
from handover.accounts.selectors import user_get_by_email
from handover.accounts.services import create_api_token
from handover.errors import DomainError


class Command(BaseCommand):
    help = "Manage personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser(
            "create", help="Create a token for the user and print it; it cannot be read again."
        )
        create.add_argument("email", metavar="EMAIL", help="The user's email address.")
        create.add_argument("--name", default="", metavar="LABEL", help="What the token is for.")
        create.add_argument("--json", action="store_true", help="Print the API's shape, with `token`.")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            user = user_get_by_email(email=options["email"])
            token, secret = create_api_token(user=user, name=options["name"])
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        if options["json"]:
            token.token = secret  # type: ignore[attr-defined]
            self.stdout.write(json.dumps(TokenCreatedOut.from_orm(token).model_dump(mode="json"), indent=2))
        else:
            self.stdout.write(secret)
