"""Background work of webhooks: one attempt at a delivery, and the sweep that hands on the lost ones."""

from django_tasks import task


@task()
def deliver_webhook(*, delivery_id: str) -> str | None:
    """One attempt at sending the delivery (services.deliver); its outcome, or None if nothing was due."""
    # Imported here: the services enqueue this task, so they import this module.
    from handover.webhooks.services import deliver

    return deliver(delivery_id=delivery_id)


@task()
def sweep() -> dict[str, int]:
    """The periodic sweep of the whole product (settings.HANDOVER_SWEEP_TASK): the transfers' (expiry,
    reminders) then the webhook deliveries whose sending was lost or is overdue — those even when the
    transfers' part fails (its error still fails the task, and is logged) — and the webhook events
    past their retention."""
    from handover.transfers.tasks import sweep_transfers
    from handover.webhooks.services import forget_old_events, retry_due_deliveries

    try:
        transfers = sweep_transfers.call()
    finally:
        retried = retry_due_deliveries()
    return {**transfers, "webhooks_retried": retried, "webhook_events_forgotten": forget_old_events()}
