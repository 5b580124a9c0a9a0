"""What can go wrong with a transfer, each with the stable code the API answers and the web shows."""

from django.utils.translation import gettext_lazy as _

from handover.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, RuleRefused


class NoProductsSelected(InvalidInput):
    code = "no_products"
    message = _("Select at least one product to transfer.")


class NoProductsMatch(NoProductsSelected):
    message = _("No product matches the filter.")


class SelectionRequired(InvalidInput):
    code = "selection_required"
    message = _("Give the products to transfer as product_ids or as a filter, not both.")


class TooManyProducts(InvalidInput):
    code = "too_many_products"
    message = _("A transfer holds at most %(limit)s products.")


class SelectionChanged(Conflict):
    code = "selection_changed"
    message = _("The selected products changed while the transfer was starting. Select them again.")


class DuplicateProducts(InvalidInput):
    code = "duplicate_products"
    message = _("A product is listed more than once.")


class SelectedProductNotFound(NotFound):
    message = _("A selected product is not in this Organization. Select the products again.")


class ProductNotTransferable(RuleRefused):
    code = "product_not_transferable"
    message = _("These products cannot be transferred: %(names)s.")


class ProductInPendingTransfer(Conflict):
    code = "product_in_pending_transfer"
    message = _("These products are already part of a pending transfer: %(names)s.")


class TermsNotAccepted(RuleRefused):
    code = "terms_not_accepted"
    message = _("Read and accept the general conditions first.")


class WarningsNotAcknowledged(RuleRefused):
    code = "warnings_not_acknowledged"
    message = _("Read and validate the warnings first.")


class TransfersLocked(RuleRefused):
    code = "transfers_locked"
    message = _(
        "Transfers out of this Organization are locked by its legal representatives. "
        "A legal representative can lift the lock in the Organization's settings."
    )


class TransferLinkUnknown(NotFound):
    code = "transfer_link_unknown"
    message = _("This transfer link is not valid. Check that you copied all of it, or ask for a new link.")


class TransferNotPending(Conflict):
    code = "transfer_not_pending"
    message = _("This transfer is no longer pending.")


TRANSFER_ALREADY_USED = _("This transfer link has already been used: the products were received.")
TRANSFER_WAS_CANCELLED = _("This transfer was cancelled by the sending Organization.")
TRANSFER_WAS_DECLINED = _("This transfer was declined.")


class TransferExpired(DomainError):
    code = "transfer_expired"
    status = 410
    message = _("This transfer link has expired. Ask the sending Organization to start a new transfer.")


class TransferStale(Conflict):
    code = "transfer_stale"
    message = _(
        "These products can no longer be transferred: %(names)s. "
        "Nothing was moved; the sending Organization can cancel this transfer and start a new one."
    )


class InvalidDestination(RuleRefused):
    code = "invalid_destination"
    message = _("Choose an Organization other than the one sending the products.")


class DestinationRequired(InvalidInput):
    code = "destination_required"
    message = _("Choose the Organization that receives the products, or create a new one.")


class TransferBoundToEmail(PermissionDenied):
    code = "transfer_bound_to_email"
    message = _(
        "This transfer was sent to another email address. Sign in with the account whose verified "
        "email received it."
    )


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    message = _("Too many attempts. Wait %(minutes)s minutes and try again.")

    def __init__(self, *, retry_after: int):
        self.retry_after = retry_after
        super().__init__(minutes=max(1, retry_after // 60))
