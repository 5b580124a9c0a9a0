"""`handover org create NAME --owner EMAIL`, `org add-member ORG EMAIL --role ROLE`,
`org set-role ORG EMAIL --role ROLE` and `org remove-member ORG EMAIL`, for operators: the Members
page's services with no actor (a demoted or removed administrator's transfers end there too). ORG is
an Organization's id or exact name."""

import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handover.accounts.selectors import user_get_by_email
from handover.errors import DomainError, NotFound
from handover.organizations import access
from handover.organizations.api import MembershipOut, OrganizationOut
from handover.organizations.models import Membership, Role
from handover.organizations.selectors import organization_get_by_ref
from handover.organizations.services import add_member, change_member_role, create_organization, remove_member

ROLES = ", ".join(Role.values)


def _person_in_organization(verbs: Any, name: str, help: str, *, role: bool = False) -> CommandParser:
    """A verb whose arguments are ORG and EMAIL (and with `role`, --role ROLE and --json)."""
    verb = verbs.add_parser(name, help=help)
    verb.add_argument("organization", metavar="ORG", help="The Organization's id or exact name.")
    verb.add_argument("email", metavar="EMAIL")
    if role:
        verb.add_argument("--role", required=True, metavar="ROLE", help=f"One of: {ROLES}.")
        verb.add_argument("--json", action="store_true", help="Print the API's shape of the membership.")
    return verb


class Command(BaseCommand):
    help = "Manage Organizations and their members."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser(
            "create", help="Create an Organization; its owner becomes legal representative. Prints its id."
        )
        create.add_argument("name", metavar="NAME")
        create.add_argument(
            "--owner", required=True, metavar="EMAIL", help="An existing user's email address."
        )
        create.add_argument("--country", default="CH", help="Its two-letter code (default: CH).")
        create.add_argument("--json", action="store_true", help="Print the API's shape of the Organization.")
        member = _person_in_organization(
            verbs,
            "add-member",
            "Add a person to an Organization; one without an account is invited by email.",
            role=True,
        )
        member.add_argument("--name", default="", help="The person's name, for a new account.")
        _person_in_organization(
            verbs,
            "set-role",
            "Change a member's role; an administrator no longer one has their transfers cancelled.",
            role=True,
        )
        _person_in_organization(
            verbs,
            "remove-member",
            "Remove a member with their product access; their transfers are cancelled.",
        )

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        actions: dict[str, Callable[..., None]] = {
            "create": self._create,
            "add-member": self._add_member,
            "set-role": self._set_role,
            "remove-member": self._remove_member,
        }
        try:
            actions[verb](**options)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    def _create(self, *, name: str, owner: str, country: str, json: bool, **options: Any) -> None:
        user = user_get_by_email(email=owner)
        organization = create_organization(actor=user, name=name, country=country)
        organization.role = Role.LEGAL_REPRESENTATIVE  # type: ignore[attr-defined]
        self._print(json, OrganizationOut.from_orm(organization), str(organization.id))

    def _add_member(
        self, *, organization: str, email: str, role: str, name: str, json: bool, **options: Any
    ) -> None:
        membership = add_member(
            actor=None,
            organization=organization_get_by_ref(ref=organization),
            email=email,
            role=role,
            name=name,
        )
        self._print_membership(json, membership)

    def _set_role(self, *, organization: str, email: str, role: str, json: bool, **options: Any) -> None:
        membership = change_member_role(actor=None, membership=self._member(organization, email), role=role)
        self._print_membership(json, membership)

    def _remove_member(self, *, organization: str, email: str, **options: Any) -> None:
        membership = self._member(organization, email)
        remove_member(actor=None, membership=membership)
        self.stdout.write(f"{membership.user.email} is no longer a member of {membership.organization.name}.")

    def _member(self, ref: str, email: str) -> Membership:
        organization = organization_get_by_ref(ref=ref)
        try:
            return access.require_member(user=user_get_by_email(email=email), organization=organization)
        except NotFound as exc:  # no such user, or not a member
            raise CommandError(f"{email.strip()} is not a member of {organization.name}.") from exc

    def _print_membership(self, as_json: bool, membership: Membership) -> None:
        role_label = membership.get_role_display().lower()
        text = f"{membership.user.email} is now {role_label} of {membership.organization.name}."
        self._print(as_json, MembershipOut.from_orm(membership), text)

    def _print(self, as_json: bool, shape: Any, text: str) -> None:
        self.stdout.write(json.dumps(shape.model_dump(mode="json"), indent=2) if as_json else text)
