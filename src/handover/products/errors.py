"""Errors a user can cause on products and their access."""

from django.utils.translation import gettext_lazy as _

from handover.errors import InvalidInput, NotFound


class UnknownProductType(InvalidInput):
    code = "unknown_product_type"
    message = _("Unknown product type “%(type)s”. Valid types: %(valid)s.")


class UnknownProductStatus(InvalidInput):
    code = "unknown_product_status"
    message = _("Unknown product status “%(status)s”. Valid statuses: %(valid)s.")


class UnknownAccessLevel(InvalidInput):
    code = "unknown_access_level"
    message = _("Unknown access level “%(level)s”. Valid levels: %(valid)s.")


class InvalidProductName(InvalidInput):
    code = "invalid_product_name"
    message = _("A product name is required, of at most 255 characters.")


class InvalidServiceRef(InvalidInput):
    code = "invalid_service_ref"
    message = _("A service reference is required, of at most 64 characters.")


class ServiceRefTaken(InvalidInput):
    code = "service_ref_taken"
    message = _("Another product already runs on the service reference “%(service_ref)s”.")


class InvalidCount(InvalidInput):
    code = "invalid_count"
    message = _("The number of products must be between 1 and %(max)s.")


class AccessTargetRequired(InvalidInput):
    code = "access_target_required"
    message = _("Choose either a member or a team.")


class CannotLinkToItself(InvalidInput):
    code = "cannot_link_to_itself"
    message = _("A product cannot be linked to itself.")


class ProductNotFound(NotFound):
    code = "product_not_found"
    message = _("This product does not exist or is not visible to you.")
