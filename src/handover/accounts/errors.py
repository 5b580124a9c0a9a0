"""Errors a person can cause with their own account, each with its stable code."""

from django.utils.translation import gettext_lazy as _

from handover.errors import InvalidInput, NotFound, PermissionDenied


class EmailTaken(InvalidInput):
    code = "email_taken"
    message = _("A user with this email address already exists.")


class InvalidEmailAddress(InvalidInput):
    code = "invalid_email"
    message = _("Enter a valid email address.")


class InvalidProfile(InvalidInput):
    code = "invalid_profile"
    message = _("Check the name (at most %(max)s characters) and the language.")


class InvalidTokenName(InvalidInput):
    code = "invalid_token_name"
    message = _("Give the token a name of at most %(max)s characters.")


class UserNotFound(NotFound):
    code = "user_not_found"
    message = _("No user has the email address %(email)s.")


class AddressOfAnotherAccount(PermissionDenied):
    """Confirming an address that someone added to their account takes being signed in as them: the
    person who merely receives the email (its owner, maybe) cannot hand it to that account."""

    code = "email_address_of_another_account"
    message = _("Sign in to the account that added this email address, then open the link again.")
