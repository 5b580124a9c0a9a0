"""The product catalogue: each type with its transfer policy declared beside it.

A provider adds types with the `HANDOVER_EXTRA_PRODUCT_TYPES` setting.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class TransferPolicy(StrEnum):
    DROP_ACCESS = "drop_access"  # user and team access is removed; the product keeps running
    KEEP_USERS = "keep_users"  # users keep `use` and join the destination as collaborators (kDrive)
    REFUSED = "refused"  # the type cannot move


@dataclass(frozen=True)
class ProductType:
    code: str
    label: str | Promise
    policy: TransferPolicy = TransferPolicy.DROP_ACCESS
    refusal: str | Promise = ""

    @property
    def transferable(self) -> bool:
        return self.policy != TransferPolicy.REFUSED


KSUITE_REFUSAL = _("kSuite cannot be transferred.")
JELASTIC_REFUSAL = _(
    "Jelastic Cloud cannot be transferred here: follow the Jelastic Cloud transfer procedure "
    "from the product's own dashboard."
)

DEFAULT_TYPES = (
    ProductType("web_hosting", _("Web hosting")),
    ProductType("domain", _("Domain name")),
    ProductType("mail_service", _("Mail service")),
    ProductType("ssl_certificate", _("SSL certificate")),
    ProductType("vps", _("VPS")),
    ProductType("public_cloud", _("Public Cloud project")),
    ProductType("streaming", _("Streaming")),
    ProductType("backup", _("Backup")),
    ProductType("kdrive", _("kDrive"), TransferPolicy.KEEP_USERS),
    ProductType("ksuite", _("kSuite"), TransferPolicy.REFUSED, KSUITE_REFUSAL),
    ProductType("my_ksuite", _("my kSuite"), TransferPolicy.REFUSED, KSUITE_REFUSAL),
    ProductType("jelastic_cloud", _("Jelastic Cloud"), TransferPolicy.REFUSED, JELASTIC_REFUSAL),
)


@cache
def product_types() -> dict[str, ProductType]:
    types = {t.code: t for t in DEFAULT_TYPES}
    for code, spec in getattr(settings, "HANDOVER_EXTRA_PRODUCT_TYPES", {}).items():
        policy = TransferPolicy(spec.get("policy", TransferPolicy.DROP_ACCESS))
        types[code] = ProductType(code, spec.get("label", code), policy, spec.get("refusal", ""))
    return types


def product_type(code: str) -> ProductType:
    return product_types()[code]


def type_choices() -> list[tuple[str, str | Promise]]:
    return [(t.code, t.label) for t in product_types().values()]


def transferable_type_codes() -> frozenset[str]:
    """The codes of the types whose policy lets them move to another Organization."""
    return frozenset(code for code, t in product_types().items() if t.transferable)


def type_label(code: str) -> str | Promise:
    """The type's label, or its bare code when a provider has since removed the type from settings."""
    known = product_types().get(code)
    return known.label if known else code
