"""The audit log read as sentences: what each event did, in the reader's language, from its details.

The details stay as they were recorded (the CSV export gives them whole); this only says them. An
action without a sentence of its own reads as its name and its object. Labels recorded as codes (roles,
levels, statuses, product types, languages) are said with their names.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Role
from handover.products.catalogue import product_types
from handover.products.models import AccessLevel, ProductStatus

NAMED = 5  # products a sentence names before "and N more"


def _label(choices: Any, value: Any) -> str:
    """The name of a recorded code among `choices` (a TextChoices), or the code itself."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _type(code: Any) -> str:
    known = product_types().get(code)
    return str(known.label) if known else str(code)


def _language(code: Any) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _products(details: dict[str, Any]) -> str:
    """'a, b and 3 more' of a transfer's recorded products."""
    names = [str(p.get("name", "")) for p in details.get("products", [])[:NAMED]]
    count = int(details.get("product_count", len(names)))
    listed = ", ".join(names)
    if count > len(names):
        return ngettext(
            "%(names)s and %(count)s more", "%(names)s and %(count)s more", count - len(names)
        ) % {
            "names": listed,
            "count": count - len(names),
        }
    return listed


def _count(details: dict[str, Any]) -> int:
    return int(details.get("product_count", len(details.get("products", []))))


def _who(details: dict[str, Any]) -> str:
    if "team" in details:
        return _("the team %(team)s") % {"team": details["team"]}
    return str(details.get("user", ""))


def _reason(sentence: str, details: dict[str, Any]) -> str:
    reason = details.get("reason")
    return f"{sentence} " + (_("Reason: %(reason)s") % {"reason": reason}) if reason else sentence


def _organization(details: dict[str, Any], key: str) -> str:
    value = details.get(key) or {}
    return str(value.get("name", "")) if isinstance(value, dict) else str(value)


Sentence = Callable[[AuditEvent, dict[str, Any]], str]

SENTENCES: dict[str, Sentence] = {
    AuditAction.ORGANIZATION_CREATED: lambda e, d: (
        _("Created the Organization %(name)s.") % {"name": d.get("name", e.target_label)}
    ),
    AuditAction.ORGANIZATION_RENAMED: lambda e, d: (
        _("Renamed the Organization from “%(old)s” to “%(new)s”.")
        % {"old": d.get("from", ""), "new": d.get("to", "")}
    ),
    AuditAction.ORGANIZATION_TRANSFER_LOCK_SET: lambda e, d: _("Locked outgoing transfers."),
    AuditAction.ORGANIZATION_TRANSFER_LOCK_LIFTED: lambda e, d: _("Allowed outgoing transfers again."),
    AuditAction.MEMBERSHIP_ADDED: lambda e, d: (
        (_("Invited %(email)s as %(role)s.") if d.get("invited") else _("Added %(email)s as %(role)s."))
        % {"email": d.get("email", e.target_label), "role": _label(Role, d.get("role"))}
    ),
    AuditAction.MEMBERSHIP_ROLE_CHANGED: lambda e, d: (
        _("Changed the role of %(email)s from %(old)s to %(new)s.")
        % {
            "email": d.get("email", e.target_label),
            "old": _label(Role, d.get("from")),
            "new": _label(Role, d.get("to")),
        }
    ),
    AuditAction.MEMBERSHIP_REMOVED: lambda e, d: (
        _("Removed %(email)s (%(role)s) from the Organization.")
        % {"email": d.get("email", e.target_label), "role": _label(Role, d.get("role"))}
    ),
    AuditAction.MEMBERSHIP_LEFT: lambda e, d: (
        _("%(email)s left the Organization.") % {"email": d.get("email", e.target_label)}
    ),
    AuditAction.TEAM_CREATED: lambda e, d: _("Created the team %(team)s.") % {"team": e.target_label},
    AuditAction.TEAM_DELETED: lambda e, d: (
        _("Deleted the team %(team)s.") % {"team": d.get("name", e.target_label)}
        + " "
        + ngettext(
            "%(count)s product right went with it.",
            "%(count)s product rights went with it.",
            int(d.get("product_accesses_removed", 0)),
        )
        % {"count": int(d.get("product_accesses_removed", 0))}
    ),
    AuditAction.TEAM_MEMBER_ADDED: lambda e, d: (
        _("Added %(email)s to the team %(team)s.") % {"email": d.get("email", ""), "team": e.target_label}
    ),
    AuditAction.TEAM_MEMBER_REMOVED: lambda e, d: (
        _("Removed %(email)s from the team %(team)s.") % {"email": d.get("email", ""), "team": e.target_label}
    ),
    AuditAction.PRODUCT_CREATED: lambda e, d: (
        _("Created the product %(product)s (%(type)s).")
        % {"product": e.target_label, "type": _type(d.get("type"))}
    ),
    AuditAction.PRODUCT_STATUS_CHANGED: lambda e, d: (
        _("Changed the status of %(product)s from %(old)s to %(new)s.")
        % {
            "product": e.target_label,
            "old": _label(ProductStatus, d.get("from")),
            "new": _label(ProductStatus, d.get("to")),
        }
    ),
    AuditAction.PRODUCT_LINKED: lambda e, d: (
        _("Linked %(product)s with %(other)s.")
        % {"product": e.target_label, "other": d.get("other_name", "")}
    ),
    AuditAction.PRODUCT_UNLINKED: lambda e, d: (
        _("Unlinked %(product)s from %(other)s.")
        % {"product": e.target_label, "other": d.get("other_name", "")}
    ),
    AuditAction.PRODUCT_ACCESS_GRANTED: lambda e, d: (
        _("Gave %(who)s the “%(level)s” right on %(product)s.")
        % {"who": _who(d), "level": _label(AccessLevel, d.get("level")), "product": e.target_label}
    ),
    AuditAction.PRODUCT_ACCESS_REVOKED: lambda e, d: (
        _("Took the “%(level)s” right on %(product)s away from %(who)s.")
        % {"who": _who(d), "level": _label(AccessLevel, d.get("level")), "product": e.target_label}
    ),
    AuditAction.INVOICE_ISSUED: lambda e, d: (
        ngettext(
            "Issued the invoice %(number)s: %(total)s %(currency)s, %(lines)s line.",
            "Issued the invoice %(number)s: %(total)s %(currency)s, %(lines)s lines.",
            int(d.get("lines", 0)),
        )
        % {
            "number": d.get("number", ""),
            "total": d.get("total", ""),
            "currency": d.get("currency", ""),
            "lines": d.get("lines", 0),
        }
    ),
    AuditAction.TERMS_ACCEPTED: lambda e, d: (
        _("Accepted the general conditions, version %(version)s (%(language)s).")
        % {"version": d.get("version", ""), "language": _language(d.get("language", ""))}
    ),
    AuditAction.TRANSFER_STARTED: lambda e, d: (
        ngettext(
            "Started a transfer of %(count)s product: %(products)s.",
            "Started a transfer of %(count)s products: %(products)s.",
            _count(d),
        )
        % {"count": _count(d), "products": _products(d)}
    ),
    AuditAction.TRANSFER_LINK_ROTATED: lambda e, d: _(
        "Made a new link for the transfer; the previous one stopped working."
    ),
    AuditAction.TRANSFER_LINK_SENT: lambda e, d: (
        (
            _("Sent the transfer link to %(email)s; only this address can receive it.")
            if d.get("bound")
            else _("Sent the transfer link to %(email)s.")
        )
        % {"email": d.get("email", "")}
    ),
    AuditAction.TRANSFER_RECEIVED: lambda e, d: (
        ngettext(
            "Received %(count)s product from %(source)s: %(products)s.",
            "Received %(count)s products from %(source)s: %(products)s.",
            _count(d),
        )
        % {"count": _count(d), "source": _organization(d, "source_organization"), "products": _products(d)}
    ),
    AuditAction.TRANSFER_COMPLETED: lambda e, d: (
        ngettext(
            "Transferred %(count)s product to %(destination)s: %(products)s.",
            "Transferred %(count)s products to %(destination)s: %(products)s.",
            _count(d),
        )
        % {
            "count": _count(d),
            "destination": _organization(d, "destination_organization"),
            "products": _products(d),
        }
    ),
    AuditAction.TRANSFER_CANCELLED: lambda e, d: _reason(
        _("Cancelled the transfer started by %(initiator)s, who lost the right to manage transfers.")
        % {"initiator": d["initiator"]}
        if d.get("initiator")
        else _("Cancelled the transfer."),
        d,
    ),
    AuditAction.TRANSFER_DECLINED: lambda e, d: _reason(_("Declined the transfer."), d),
    AuditAction.TRANSFER_EXPIRED: lambda e, d: _("The transfer expired; its link no longer works."),
    AuditAction.TRANSFER_LINK_REVOKED: lambda e, d: _reason(
        _("The transfer link issued by %(email)s stopped working.") % {"email": d.get("issued_by", "")}, d
    ),
    AuditAction.WEBHOOK_REGISTERED: lambda e, d: (
        _("Registered the webhook endpoint %(url)s for %(events)s.")
        % {"url": d.get("url", ""), "events": ", ".join(map(str, d.get("events", [])))}
    ),
    AuditAction.WEBHOOK_SECRET_ROTATED: lambda e, d: (
        _("Gave the webhook endpoint %(url)s a new secret.") % {"url": d.get("url", "")}
    ),
    AuditAction.WEBHOOK_DELETED: lambda e, d: (
        _("Deleted the webhook endpoint %(url)s.") % {"url": d.get("url", "")}
    ),
}


def sentence(event: AuditEvent) -> str:
    """What `event` did, as one or two sentences (its actor is said apart)."""
    details = event.details if isinstance(event.details, dict) else {}
    say = SENTENCES.get(event.action)
    if say is not None:
        try:
            return say(event, details)
        except (KeyError, TypeError, ValueError):  # details recorded in an older shape
            pass
    label = event.target_label if event.target_type != "transfer" else ""
    return f"{event.get_action_display()}{': ' + label if label else ''}."
