"""Errors a member can cause while managing an Organization, each with its stable code."""

from django.utils.translation import gettext_lazy as _

from handover.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleRefused


class LastLegalRepresentative(RuleRefused):
    code = "last_legal_representative"
    message = _(
        "An Organization keeps at least one legal representative: appoint another legal "
        "representative before removing, demoting or withdrawing this one."
    )


class LegalRepresentativeRequired(PermissionDenied):
    code = "legal_representative_required"
    message = _("Only a legal representative of the Organization may do this.")


class AlreadyMember(Conflict):
    code = "already_member"
    message = _("%(email)s is already a member of this Organization.")


class NotAMember(InvalidInput):
    code = "not_a_member"
    message = _("%(email)s is not a member of this Organization: add them as a member first.")


class TeamNameTaken(Conflict):
    code = "team_name_taken"
    message = _("A team with this name already exists in the Organization.")


class UnknownRole(InvalidInput):
    code = "unknown_role"
    message = _("Unknown role “%(role)s”: choose legal_representative, administrator or collaborator.")


class InvalidName(InvalidInput):
    code = "invalid_name"
    message = _("Enter a name of 1 to %(max)s characters.")


class InvalidCountry(InvalidInput):
    code = "invalid_country"
    message = _("Enter a country as its two-letter code, e.g. CH.")


class OrganizationNotFound(NotFound):
    code = "organization_not_found"
    message = _("No Organization has the id or the exact name “%(ref)s”.")


class AmbiguousOrganization(InvalidInput):
    code = "ambiguous_organization"
    message = _("Several Organizations are named “%(ref)s”: give the Organization's id instead.")
