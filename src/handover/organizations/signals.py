"""Domain signals by which organizations tell the apps above them, inside the same transaction."""

from django.dispatch import Signal

# A member lost the right to manage transfers in an Organization (demoted, removed or gone): every
# capability they issued there must die with it. Sent with `user`, `organization` and `reason` (a
# sentence for the people told), inside the transaction of the change.
admin_rights_lost = Signal()
