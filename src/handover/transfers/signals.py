"""Domain signals by which transfers tell the apps above them (webhooks), inside the same transaction."""

from django.dispatch import Signal

# A transfer started or reached its outcome. Sent once per transfer (never per product) with
# `transfer` (the row as changed, its source Organization joined, and its destination for a completed
# transfer) and `change` ("started", "completed", "cancelled", "declined" or "expired"), inside the
# transaction of the change, so that whatever a receiver writes commits or rolls back with it.
transfer_changed = Signal()
