"""`handover changepassword [EMAIL]`: Django's command, and then what any new password means
(SPEC §6.2): the user's API tokens are revoked, their sessions end and they are told by email."""

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword
from django.db import transaction

from handover.accounts.models import User
from handover.accounts.services import CredentialChange, revoke_other_credentials


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str | None:
        # The password and the revocation, or neither (the transaction stays open while the operator types).
        with transaction.atomic():
            done = super().handle(*args, **options)
            user = User.objects.get(email=options["username"] or getpass.getuser())
            revoke_other_credentials(user=user, change=CredentialChange.PASSWORD)
        return done
