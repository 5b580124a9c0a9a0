"""Background work of accounts: the email telling a user their other credentials were revoked."""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from handover.accounts.models import User
from handover.emails import build_email


@task()
def send_credentials_changed_email(*, user_id: str, change: str, revoked_tokens: int) -> None:
    """Tell the user that their password changed or a second factor was turned on, and that their
    API tokens were revoked and their other sessions ended: if it was not them, they act at once."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    context = {
        "user": user,
        "change": change,
        "revoked_tokens": revoked_tokens,
        "reset_url": settings.BASE_URL + reverse("account_reset_password"),
        "tokens_url": settings.BASE_URL + reverse("accounts:tokens"),
    }
    build_email("accounts/email/credentials-changed", context, to=user.email, language=user.language).send()
