"""Background work of Organizations: the emails sent when someone is added to one."""

from django_tasks import task

from handover.accounts.models import User
from handover.organizations.emails import membership_email
from handover.organizations.models import Membership


@task()
def send_membership_email(*, membership_id: str, inviter_id: str | None, invited: bool) -> None:
    """Tell a person they were added to an Organization; a new account's email carries the link to
    choose a password. A membership removed before the task runs is not announced."""
    membership = Membership.objects.select_related("user", "organization").filter(pk=membership_id).first()
    if membership is None:
        return
    inviter = User.objects.filter(pk=inviter_id).first() if inviter_id else None
    membership_email(membership=membership, inviter=inviter, invited=invited).send()
