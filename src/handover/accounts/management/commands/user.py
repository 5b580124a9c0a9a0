"""`handover user create EMAIL [--password P] [--name NAME] [--json]`, for operators."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handover.accounts.api import UserOut
from handover.accounts.services import create_user
from handover.errors import DomainError


class Command(BaseCommand):
    help = "Manage users."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser(
            "create", help="Create a user whose email address is verified; prints its id."
        )
        create.add_argument("email", metavar="EMAIL")
        create.add_argument(
            "--password",
            help="Without it, the user chooses one with “Forgot your password?” on the sign-in page.",
        )
        create.add_argument("--name", default="", help="The person's name.")
        create.add_argument("--json", action="store_true", help="Print the API's shape of the user.")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            user = create_user(
                email=options["email"], password=options["password"], name=options["name"], verified=True
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        if options["json"]:
            self.stdout.write(json.dumps(UserOut.from_orm(user).model_dump(mode="json"), indent=2))
        else:
            self.stdout.write(str(user.id))
