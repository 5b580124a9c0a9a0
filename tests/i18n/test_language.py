"""Which language a person gets: the guide's labels in every language, the browser's choice for
visitors, the profile's choice for signed-in users, on pages and in emails."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from handover.transfers.services import send_transfer_link, start_transfer
from tests.support import factories

# The guide's buttons and menu entries (SPEC §2), in each language of SPEC §4.
GUIDE_LABELS = {
    "fr": {
        "Transfer products": "Transférer des produits",
        "Transfer": "Transférer",
        "Create a new Organization": "Créer une nouvelle Organisation",
        "Transfer to another Organization": "Transférer vers une autre Organisation",
        "Manage": "Gérer",
    },
    "de": {
        "Transfer products": "Produkte übertragen",
        "Transfer": "Übertragen",
        "Create a new Organization": "Neue Organisation erstellen",
        "Transfer to another Organization": "An eine andere Organisation übertragen",
        "Manage": "Verwalten",
    },
    "it": {
        "Transfer products": "Trasferisci prodotti",
        "Transfer": "Trasferisci",
        "Create a new Organization": "Crea una nuova Organizzazione",
        "Transfer to another Organization": "Trasferisci a un'altra Organizzazione",
        "Manage": "Gestisci",
    },
    "es": {
        "Transfer products": "Transferir productos",
        "Transfer": "Transferir",
        "Create a new Organization": "Crear una nueva Organización",
        "Transfer to another Organization": "Transferir a otra Organización",
        "Manage": "Gestionar",
    },
}
RECEIVE = {
    "fr": ("Recevoir le produit", "Recevoir les produits"),
    "de": ("Produkt empfangen", "Produkte empfangen"),
    "it": ("Ricevi il prodotto", "Ricevi i prodotti"),
    "es": ("Recibir el producto", "Recibir los productos"),
}


@pytest.mark.parametrize("language", sorted(GUIDE_LABELS))
def test_the_guides_labels_are_translated(language):
    with translation.override(language):
        assert {english: translation.gettext(english) for english in GUIDE_LABELS[language]} == (
            GUIDE_LABELS[language]
        )
        one, many = (translation.ngettext("Receive the product", "Receive the products", n) for n in (1, 3))
    assert (one, many) == RECEIVE[language]


def test_english_stays_the_source_text():
    with translation.override("en"):
        assert translation.gettext("Transfer products") == "Transfer products"
        assert (
            translation.ngettext("Receive the product", "Receive the products", 2) == "Receive the products"
        )


def test_a_visitor_gets_the_language_of_their_browser(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr-CH,fr;q=0.9,en;q=0.5")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Aller au contenu" in html
    assert "Skip to content" not in html


def test_a_page_of_the_manager_in_french(client, org, owner):
    factories.make_product(org, "domain", name="example.ch")
    client.force_login(owner)
    response = client.get(reverse("transfers:list", args=[org.id]), HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Transferts de produits" in html
    assert "Transférer des produits" in html
    assert "Transfer products" not in html


def test_a_user_who_chose_german_gets_german_pages_whatever_the_browser_says(client, org, owner):
    owner.language = "de"
    owner.save(update_fields=["language"])
    product = factories.make_product(org, "web_hosting", name="shop.example")
    client.force_login(owner)
    response = client.get(reverse("products:detail", args=[org.id, product.id]), HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in html
    assert "Verwalten" in html
    assert "An eine andere Organisation übertragen" in html
    assert "Transférer" not in html


def test_without_a_chosen_language_the_browser_decides(client, org, owner):
    assert owner.language == ""
    client.force_login(owner)
    response = client.get(reverse("transfers:list", args=[org.id]), HTTP_ACCEPT_LANGUAGE="it")
    assert response["Content-Language"] == "it"
    assert "Trasferisci prodotti" in response.content.decode()


def test_a_language_chosen_on_the_profile_follows_the_user_to_another_browser(client, org, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:profile"), {"name": owner.name, "language": "es"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "es"

    other_browser = type(client)()
    other_browser.force_login(owner)
    response = other_browser.get(reverse("transfers:list", args=[org.id]), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "es"
    assert "Transferir productos" in response.content.decode()


def test_an_unknown_stored_language_falls_back_to_the_browser(client, org, owner):
    owner.language = "xx"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    response = client.get(reverse("transfers:list", args=[org.id]), HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "fr"


@pytest.fixture
def link_email(org, owner, terms, run_tasks):
    """The transfer-link email that `owner`, reading pages in `sender_language`, sends to `email`."""
    product = factories.make_product(org, "web_hosting", name="shop.example")
    started = start_transfer(
        actor=owner, organization=org, product_ids=[product.id], accept_terms=True, acknowledge_warnings=True
    )

    def send(email, *, sender_language):
        with translation.override(sender_language):
            send_transfer_link(actor=owner, transfer=started.transfer, email=email)
        run_tasks()
        [message] = mail.outbox
        return message

    return send


def test_a_user_who_chose_german_gets_the_transfer_email_in_german(link_email):
    recipient = factories.make_user("empfaenger@example.com", name="Erika Empfänger")
    recipient.language = "de"
    recipient.save(update_fields=["language"])
    message = link_email("Empfaenger@example.com", sender_language="fr")
    assert message.to == ["empfaenger@example.com"]
    assert message.subject == "Source SA überträgt Ihnen ein Produkt"
    assert "Um die Produkte zu empfangen" in message.body
    assert "shop.example" in message.body
    assert "Produkte prüfen und empfangen" in message.alternatives[0][0]


def test_an_address_without_an_account_gets_the_email_in_english(link_email):
    message = link_email("nobody@example.com", sender_language="de")
    assert message.subject == "Source SA is transferring a product to you"


@pytest.mark.parametrize("language", ["en", "de", "it"])
def test_the_language_list_names_each_language_in_itself(client, owner, language):
    client.force_login(owner)
    html = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for code, name in [
        ("en", "English"),
        ("fr", "Français"),
        ("de", "Deutsch"),
        ("it", "Italiano"),
        ("es", "Español"),
    ]:
        assert f'<option value="{code}" lang="{code}">{name}</option>' in html


@pytest.mark.parametrize(
    ("language", "date"),
    [("it", "2 marzo 2026"), ("fr", "2 mars 2026"), ("de", "2. März 2026"), ("es", "2 de marzo de 2026")],
)
def test_dates_read_as_each_language_writes_them(client, org, owner, language, date):
    """Italian among them: no weekday, and the month in lower case."""
    product = factories.make_product(org, "domain", name="example.ch")
    product.renews_on = datetime.date(2026, 3, 2)
    product.save(update_fields=["renews_on"])
    client.force_login(owner)

    html = client.get(reverse("products:detail", args=[org.id, product.id]), HTTP_ACCEPT_LANGUAGE=language)

    assert f'<time datetime="2026-03-02">{date}</time>' in html.content.decode()
    assert "Lunedì" not in html.content.decode() and "Marzo" not in html.content.decode()
