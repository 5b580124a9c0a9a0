"""The demo data set: a small hosting customer base, loaded through the services as an operator.

Three Organizations (a bakery, a consultancy and the web agency that looks after both), six people
covering every role, a product of every catalogue type (a suspended and an expired one among them,
a kDrive shared with `use` and `manage` rights, domains linked with their mail service, hosting and
certificate), work teams with product rights, invoices whose lines name products, and the general
conditions. Everyone signs in with the one password `DEMO_PASSWORD`.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from handover.accounts.models import User
from handover.accounts.services import create_user, update_profile
from handover.billing.services import issue_invoice
from handover.organizations.models import Role
from handover.organizations.services import add_member, add_team_member, create_organization, create_team
from handover.products.models import AccessLevel, ProductStatus
from handover.products.services import create_product, grant_access, link_products
from handover.terms.errors import NoConditionsPublished
from handover.terms.selectors import current_conditions
from handover.terms.services import publish_conditions
from handover.transfers.services import send_transfer_link, start_transfer

DEMO_PASSWORD = "handover-demo"  # noqa: S105 (printed for everyone: it is the demo's)


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    language: str  # their emails are written in it


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    country: str
    legal_representative: str
    members: tuple[tuple[str, Role], ...] = ()


@dataclass(frozen=True)
class DemoProduct:
    organization: str
    type: str
    name: str
    renews_in_days: int
    status: ProductStatus = ProductStatus.ACTIVE


@dataclass(frozen=True)
class DemoTeam:
    organization: str
    name: str
    members: tuple[str, ...]
    # (product type, product name, level)
    rights: tuple[tuple[str, str, AccessLevel], ...] = ()


@dataclass(frozen=True)
class DemoInvoice:
    organization: str
    number: str
    issued_days_ago: int
    # (product type, product name, or None for a line without a product; description; amount)
    lines: tuple[tuple[tuple[str, str] | None, str, str], ...] = field(default=())


LUCA = "luca@webatelier.ch"
CLAIRE = "claire@alpine-bakery.ch"
JONAS = "jonas@alpine-bakery.ch"
ELENA = "elena@alpine-bakery.ch"
SOPHIE = "sophie@dupont-consulting.fr"
JAVIER = "javier@dupont-consulting.fr"

ALPINE = "Alpine Bakery SA"
DUPONT = "Dupont Consulting"
ATELIER = "Web Atelier Sàrl"

USERS = (
    DemoUser(LUCA, "Luca Bernasconi", "en"),
    DemoUser(CLAIRE, "Claire Rochat", "en"),
    DemoUser(SOPHIE, "Sophie Dupont", "fr"),
    DemoUser(JONAS, "Jonas Meier", "de"),
    DemoUser(ELENA, "Elena Rossi", "it"),
    DemoUser(JAVIER, "Javier Morales", "es"),
)

# The agency's Luca administers both of its customers' Organizations: he can move products between
# all three, which is what the guide's "Complete the transfer" is for.
ORGANIZATIONS = (
    DemoOrganization(
        ALPINE,
        "CH",
        CLAIRE,
        ((LUCA, Role.ADMINISTRATOR), (JONAS, Role.COLLABORATOR), (ELENA, Role.COLLABORATOR)),
    ),
    DemoOrganization(DUPONT, "FR", SOPHIE, ((LUCA, Role.ADMINISTRATOR), (JAVIER, Role.COLLABORATOR))),
    DemoOrganization(ATELIER, "CH", LUCA),
)

SUSPENDED, EXPIRED = ProductStatus.SUSPENDED, ProductStatus.EXPIRED
PRODUCTS = (
    DemoProduct(ALPINE, "domain", "alpine-bakery.ch", 212),
    DemoProduct(ALPINE, "mail_service", "alpine-bakery.ch", 212),
    DemoProduct(ALPINE, "web_hosting", "alpine-bakery.ch", 212),
    DemoProduct(ALPINE, "ssl_certificate", "alpine-bakery.ch", 95),
    DemoProduct(ALPINE, "domain", "alpinebakery.shop", 47),
    DemoProduct(ALPINE, "web_hosting", "shop.alpine-bakery.ch", 130),
    DemoProduct(ALPINE, "kdrive", "Alpine Bakery — shared drive", 301),
    DemoProduct(ALPINE, "ksuite", "Alpine Bakery kSuite", 180),
    DemoProduct(ALPINE, "jelastic_cloud", "orders.alpine-bakery.ch", 88),
    DemoProduct(ALPINE, "backup", "Backup of alpine-bakery.ch", 61),
    DemoProduct(ALPINE, "streaming", "Bakery live kitchen", 150),
    DemoProduct(ALPINE, "web_hosting", "old.alpine-bakery.ch", 9, SUSPENDED),
    DemoProduct(ALPINE, "domain", "boulangerie-alpine.ch", -23, EXPIRED),
    DemoProduct(DUPONT, "domain", "dupont-consulting.fr", 163),
    DemoProduct(DUPONT, "mail_service", "dupont-consulting.fr", 163),
    DemoProduct(DUPONT, "web_hosting", "dupont-consulting.fr", 163),
    DemoProduct(DUPONT, "ssl_certificate", "dupont-consulting.fr", 40),
    DemoProduct(DUPONT, "domain", "dupont-conseil.com", 19),
    DemoProduct(DUPONT, "ksuite", "Dupont Consulting kSuite", 240),
    DemoProduct(DUPONT, "my_ksuite", "my kSuite of Sophie Dupont", 75),
    DemoProduct(DUPONT, "kdrive", "Dupont Consulting — client files", 118),
    DemoProduct(DUPONT, "vps", "vps-dupont-01", 33),
    DemoProduct(DUPONT, "public_cloud", "dupont-analytics", 27),
    DemoProduct(DUPONT, "backup", "Backup of vps-dupont-01", 33),
    DemoProduct(ATELIER, "domain", "webatelier.ch", 340),
    DemoProduct(ATELIER, "mail_service", "webatelier.ch", 340),
    DemoProduct(ATELIER, "web_hosting", "webatelier.ch", 340),
    DemoProduct(ATELIER, "ssl_certificate", "webatelier.ch", 70),
    DemoProduct(ATELIER, "jelastic_cloud", "staging.webatelier.ch", 14),
    DemoProduct(ATELIER, "vps", "vps-atelier-build", 200),
    DemoProduct(ATELIER, "kdrive", "Web Atelier — projects", 260),
    DemoProduct(ATELIER, "my_ksuite", "my kSuite of Luca Bernasconi", 305),
    DemoProduct(ATELIER, "streaming", "atelier.tv", 55),
    DemoProduct(ATELIER, "public_cloud", "atelier-render", 120),
    DemoProduct(ATELIER, "web_hosting", "preview.webatelier.ch", 98),
)

# Each domain with its mail service, hosting and certificate: transferring one alone warns.
LINKED = (
    *(
        (("domain", domain), (other, domain))
        for domain in ("alpine-bakery.ch", "dupont-consulting.fr", "webatelier.ch")
        for other in ("mail_service", "web_hosting", "ssl_certificate")
    ),
    (("domain", "alpinebakery.shop"), ("web_hosting", "shop.alpine-bakery.ch")),
)

# (product type, product name, user email, level): the bakery's kDrive has both kinds of users,
# who follow it as collaborators if it is transferred (SPEC §1 catalogue).
USER_RIGHTS = (
    ("kdrive", "Alpine Bakery — shared drive", JONAS, AccessLevel.USE),
    ("kdrive", "Alpine Bakery — shared drive", ELENA, AccessLevel.MANAGE),
    ("web_hosting", "shop.alpine-bakery.ch", ELENA, AccessLevel.MANAGE),
    ("web_hosting", "alpine-bakery.ch", LUCA, AccessLevel.MANAGE),
    ("kdrive", "Dupont Consulting — client files", JAVIER, AccessLevel.USE),
    ("mail_service", "dupont-consulting.fr", JAVIER, AccessLevel.USE),
)

TEAMS = (
    DemoTeam(
        ALPINE,
        "Shop",
        (JONAS, ELENA),
        (
            ("kdrive", "Alpine Bakery — shared drive", AccessLevel.USE),
            ("web_hosting", "shop.alpine-bakery.ch", AccessLevel.USE),
            ("domain", "alpinebakery.shop", AccessLevel.USE),
        ),
    ),
    DemoTeam(
        ALPINE,
        "Web agency",
        (LUCA,),
        (
            ("web_hosting", "alpine-bakery.ch", AccessLevel.MANAGE),
            ("ssl_certificate", "alpine-bakery.ch", AccessLevel.MANAGE),
        ),
    ),
    DemoTeam(
        DUPONT,
        "Consultants",
        (JAVIER,),
        (("kdrive", "Dupont Consulting — client files", AccessLevel.MANAGE),),
    ),
)

INVOICES = (
    DemoInvoice(
        ALPINE,
        "ALP-0031",
        140,
        (
            (("domain", "alpine-bakery.ch"), "Domain alpine-bakery.ch — renewal, 1 year", "13.00"),
            (("web_hosting", "alpine-bakery.ch"), "Web hosting alpine-bakery.ch — 1 year", "119.40"),
            (("mail_service", "alpine-bakery.ch"), "Mail service alpine-bakery.ch — 5 addresses", "30.00"),
            (None, "Setup assistance (one hour)", "90.00"),
        ),
    ),
    DemoInvoice(
        ALPINE,
        "ALP-0058",
        20,
        (
            (("kdrive", "Alpine Bakery — shared drive"), "kDrive 1 TB — 1 year", "99.00"),
            (("ksuite", "Alpine Bakery kSuite"), "kSuite Standard, 3 users — 1 year", "162.00"),
            (("jelastic_cloud", "orders.alpine-bakery.ch"), "Jelastic Cloud — usage, last month", "27.35"),
        ),
    ),
    DemoInvoice(
        DUPONT,
        "DUP-0012",
        90,
        (
            (("domain", "dupont-consulting.fr"), "Domain dupont-consulting.fr — renewal, 1 year", "11.00"),
            (("vps", "vps-dupont-01"), "VPS 4 cores / 8 GB — 1 year", "420.00"),
            (("backup", "Backup of vps-dupont-01"), "Backup 500 GB — 1 year", "60.00"),
        ),
    ),
    DemoInvoice(
        DUPONT,
        "DUP-0027",
        12,
        (
            (("public_cloud", "dupont-analytics"), "Public Cloud — usage, last month", "84.10"),
            (("ssl_certificate", "dupont-consulting.fr"), "SSL certificate — 1 year", "49.00"),
        ),
    ),
    DemoInvoice(
        ATELIER,
        "ATL-0044",
        35,
        (
            (("web_hosting", "webatelier.ch"), "Web hosting webatelier.ch — 1 year", "119.40"),
            (("streaming", "atelier.tv"), "Streaming — 1 channel, 1 year", "240.00"),
            (("vps", "vps-atelier-build"), "VPS 2 cores / 4 GB — 1 year", "216.00"),
        ),
    ),
)


@dataclass(frozen=True)
class DemoTransfer:
    organization: str
    initiator: str
    products: tuple[tuple[str, str], ...]
    recipient: str
    note: str


PENDING_TRANSFER = DemoTransfer(
    ATELIER,
    LUCA,
    (("web_hosting", "preview.webatelier.ch"),),
    CLAIRE,
    "Here is the preview of your new shop, Claire: receive it into Alpine Bakery SA and it is yours.",
)

# Migrations publish the general conditions; a database without them (tests) gets this version.
TERMS_VERSION = "2026-01"
TERMS_TITLE = "General conditions"
TERMS_BODY = """\
1. Scope. These conditions govern the products subscribed by an Organization and managed in this \
Manager.
2. Transfer of products. A legal representative or an administrator may transfer products to another \
Organization. A transfer moves the management and the billing of the products; it does not change a \
domain's registrant, and the service keeps running without interruption.
3. Invoices. Invoices issued before a transfer stay with the Organization they were issued to.
4. Access. Users and teams of the source Organization lose their rights on transferred products, \
except the users of a kDrive, who keep using it as collaborators of the receiving Organization.
5. Acceptance. Each acceptance of these conditions is recorded with its date, its author and the \
address it was made from.
"""
# The same text in the other languages of the Manager: each person reads and accepts it in theirs.
TERMS_TRANSLATIONS = {
    "fr": (
        "Conditions générales",
        """\
1. Champ d'application. Les présentes conditions régissent les produits souscrits par une Organisation \
et gérés dans ce Manager.
2. Transfert de produits. Un représentant légal ou un administrateur peut transférer des produits à une \
autre Organisation. Un transfert déplace la gestion et la facturation des produits ; il ne modifie pas \
le titulaire d'un domaine, et le service continue de fonctionner sans interruption.
3. Factures. Les factures émises avant un transfert restent attachées à l'Organisation à laquelle elles \
ont été adressées.
4. Accès. Les utilisateurs et les équipes de l'Organisation d'origine perdent leurs droits sur les \
produits transférés, à l'exception des utilisateurs d'un kDrive, qui continuent de l'utiliser en tant \
que collaborateurs de l'Organisation destinataire.
5. Acceptation. Chaque acceptation des présentes conditions est enregistrée avec sa date, son auteur et \
l'adresse depuis laquelle elle a été faite.
""",
    ),
    "de": (
        "Allgemeine Geschäftsbedingungen",
        """\
1. Geltungsbereich. Diese Bedingungen gelten für die Produkte, die eine Organisation abonniert hat und \
in diesem Manager verwaltet.
2. Übertragung von Produkten. Ein gesetzlicher Vertreter oder ein Administrator kann Produkte an eine \
andere Organisation übertragen. Mit einer Übertragung gehen die Verwaltung und die Abrechnung der \
Produkte über; der Inhaber einer Domain ändert sich nicht, und der Dienst läuft ohne Unterbrechung \
weiter.
3. Rechnungen. Vor einer Übertragung ausgestellte Rechnungen verbleiben bei der Organisation, an die sie \
ausgestellt wurden.
4. Zugriff. Benutzer und Teams der abgebenden Organisation verlieren ihre Rechte an übertragenen \
Produkten, mit Ausnahme der Benutzer eines kDrive, die es als Mitarbeiter der empfangenden \
Organisation weiter nutzen.
5. Annahme. Jede Annahme dieser Bedingungen wird mit ihrem Datum, ihrem Urheber und der Adresse, von der \
aus sie erfolgte, aufgezeichnet.
""",
    ),
    "it": (
        "Condizioni generali",
        """\
1. Ambito di applicazione. Le presenti condizioni disciplinano i prodotti sottoscritti da \
un'Organizzazione e gestiti in questo Manager.
2. Trasferimento di prodotti. Un rappresentante legale o un amministratore può trasferire prodotti a \
un'altra Organizzazione. Un trasferimento sposta la gestione e la fatturazione dei prodotti; non \
modifica il registrante di un dominio, e il servizio continua a funzionare senza interruzioni.
3. Fatture. Le fatture emesse prima di un trasferimento restano all'Organizzazione alla quale sono state \
emesse.
4. Accesso. Gli utenti e i team dell'Organizzazione di origine perdono i loro diritti sui prodotti \
trasferiti, eccetto gli utenti di un kDrive, che continuano a utilizzarlo come collaboratori \
dell'Organizzazione ricevente.
5. Accettazione. Ogni accettazione delle presenti condizioni viene registrata con la sua data, il suo \
autore e l'indirizzo da cui è stata effettuata.
""",
    ),
    "es": (
        "Condiciones generales",
        """\
1. Ámbito de aplicación. Las presentes condiciones rigen los productos contratados por una Organización \
y gestionados en este Manager.
2. Transferencia de productos. Un representante legal o un administrador puede transferir productos a \
otra Organización. Una transferencia traslada la gestión y la facturación de los productos; no modifica \
el registrante de un dominio, y el servicio sigue funcionando sin interrupción.
3. Facturas. Las facturas emitidas antes de una transferencia permanecen en la Organización a la que se \
emitieron.
4. Acceso. Los usuarios y los equipos de la Organización de origen pierden sus derechos sobre los \
productos transferidos, salvo los usuarios de un kDrive, que siguen usándolo como colaboradores de la \
Organización receptora.
5. Aceptación. Cada aceptación de estas condiciones se registra con su fecha, su autor y la dirección \
desde la que se realizó.
""",
    ),
}


def _roles_by_user() -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {user.email: [] for user in USERS}
    for organization in ORGANIZATIONS:
        members = ((organization.legal_representative, Role.LEGAL_REPRESENTATIVE), *organization.members)
        for email, role in members:
            roles[email].append(f"{str(role.label).lower()} of {organization.name}")
    return roles


def demo_sign_ins() -> str:
    """The demo's sign-ins, with each person's roles, as printed by `handover demo` and `serve --demo`."""
    roles = _roles_by_user()
    width = max(len(user.email) for user in USERS)
    lines = [f"Demo sign-ins (the password of every one is {DEMO_PASSWORD}):"]
    lines += [f"  {user.email:<{width}}  {user.name}: {', '.join(roles[user.email])}" for user in USERS]
    return "\n".join(lines)


def demo_loaded() -> bool:
    return User.objects.filter(email=USERS[0].email).exists()


@transaction.atomic
def load_demo() -> bool:
    """Load the demo data set in one transaction; returns False, creating nothing, if it is loaded.

    Everything goes through the apps' services as a trusted operator (actor=None), so the audit
    logs read as they would after the same changes made by hand.
    """
    if demo_loaded():
        return False
    try:
        current_conditions()
    except NoConditionsPublished:
        publish_conditions(
            version=TERMS_VERSION, title=TERMS_TITLE, body=TERMS_BODY, translations=TERMS_TRANSLATIONS
        )
    users = {}
    for person in USERS:
        user = create_user(email=person.email, password=DEMO_PASSWORD, name=person.name, verified=True)
        users[person.email] = update_profile(user=user, name=person.name, language=person.language)
    organizations = {}
    for org_spec in ORGANIZATIONS:
        organization = create_organization(
            actor=users[org_spec.legal_representative], name=org_spec.name, country=org_spec.country
        )
        for email, role in org_spec.members:
            add_member(actor=None, organization=organization, email=email, role=role)
        organizations[org_spec.name] = organization

    today = timezone.localdate()
    products = {}
    for product_spec in PRODUCTS:
        products[product_spec.type, product_spec.name] = create_product(
            actor=None,
            organization=organizations[product_spec.organization],
            type=product_spec.type,
            name=product_spec.name,
            status=product_spec.status,
            renews_on=today + datetime.timedelta(days=product_spec.renews_in_days),
        )
    for one, other in LINKED:
        link_products(actor=None, product=products[one], other=products[other])
    for type, name, email, level in USER_RIGHTS:
        grant_access(actor=None, product=products[type, name], user=users[email], level=level)
    for team_spec in TEAMS:
        team = create_team(
            actor=None, organization=organizations[team_spec.organization], name=team_spec.name
        )
        for email in team_spec.members:
            add_team_member(actor=None, team=team, user=users[email])
        for type, name, level in team_spec.rights:
            grant_access(actor=None, product=products[type, name], team=team, level=level)
    for invoice_spec in INVOICES:
        issue_invoice(
            organization=organizations[invoice_spec.organization],
            number=invoice_spec.number,
            issued_on=today - datetime.timedelta(days=invoice_spec.issued_days_ago),
            lines=[
                (products[product] if product else None, description, amount)
                for product, description, amount in invoice_spec.lines
            ],
        )
    # The agency hands the bakery its new shop preview: a pending transfer, its link emailed to
    # Claire (and bound to her address), waiting in her list and in the local mailbox.
    started = start_transfer(
        actor=users[PENDING_TRANSFER.initiator],
        organization=organizations[PENDING_TRANSFER.organization],
        product_ids=[products[key].pk for key in PENDING_TRANSFER.products],
        accept_terms=True,
        acknowledge_warnings=True,
        note=PENDING_TRANSFER.note,
    )
    send_transfer_link(
        actor=users[PENDING_TRANSFER.initiator],
        transfer=started.transfer,
        email=PENDING_TRANSFER.recipient,
        message=PENDING_TRANSFER.note,
    )
    return True
