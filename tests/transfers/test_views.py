"""The source side's transfer pages: the list, starting a transfer, and a transfer's own page."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Role
from handover.products.models import Product, ProductStatus
from handover.transfers import errors
from handover.transfers.links import link_secret
from handover.transfers.models import Transfer, TransferItem, TransferState
from handover.transfers.selectors import transfer_get_by_token
from handover.transfers.services import cancel_transfer, decline_transfer, receive_transfer
from handover.transfers.views import _link_key
from tests.support import factories
from tests.support.factories import PASSWORD


@pytest.fixture
def sign_in(client):
    """Sign `user` in; with `fresh`, as if they had just typed their password again."""

    def _sign_in(user, *, fresh=True):
        client.force_login(user)
        if fresh:
            response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
            assert response.status_code == 302
        return client

    return _sign_in


@pytest.fixture
def other_org(recipient):
    """Another Organization of a stranger to the source."""
    return factories.make_org("Stranger AG", owner=recipient)


def url(name, *args):
    return reverse(f"transfers:{name}", args=args)


def start_url(org):
    return url("start", org.id)


def preview(client, org, *products, **data):
    data = {"products": [str(p.id) for p in products], "accept_terms": "on", "action": "preview", **data}
    return client.post(start_url(org), data)


def html(response):
    return response.content.decode()


# Who may see what -------------------------------------------------------------------------------


@pytest.fixture
def pending(start, org, owner, hosting):
    return start(owner, org, hosting).transfer


@pytest.mark.parametrize("page", ["list", "start", "detail"])
def test_anonymous_visitors_are_sent_to_sign_in(client, org, pending, page):
    target = url(page, org.id, pending.id) if page == "detail" else url(page, org.id)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={target}"


@pytest.mark.parametrize("page", ["list", "start", "detail", "rotate", "send", "complete", "cancel"])
def test_a_member_of_another_organization_gets_404(sign_in, org, pending, recipient, other_org, page):
    client = sign_in(recipient)
    target = url(page, org.id) if page in {"list", "start"} else url(page, org.id, pending.id)
    assert client.get(target).status_code == 404
    assert client.post(target, {"action": "cancel"}).status_code == 404
    assert Transfer.objects.get().state == TransferState.PENDING


def test_a_transfer_of_another_organization_is_404_under_ones_own(sign_in, pending, recipient, other_org):
    client = sign_in(recipient)
    assert client.get(url("detail", other_org.id, pending.id)).status_code == 404
    assert client.post(url("cancel", other_org.id, pending.id), {}).status_code == 404
    assert client.get(url("detail", other_org.id, uuid.uuid4())).status_code == 404
    assert Transfer.objects.get().state == TransferState.PENDING


def test_a_collaborator_sees_only_what_waits_for_them_and_may_not_start_or_manage(sign_in, org, pending):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    client = sign_in(collaborator)

    response = client.get(url("list", org.id))
    assert response.status_code == 200
    assertNotContains(response, "Transfer products")
    assertNotContains(response, "shop.example")
    assertContains(response, "Waiting for you")
    assert client.get(start_url(org)).status_code == 403
    assert client.post(start_url(org), {"action": "start"}).status_code == 403
    assert client.get(url("detail", org.id, pending.id)).status_code == 403
    for action in ("rotate", "cancel", "complete", "send"):
        assert client.post(url(action, org.id, pending.id)).status_code == 403
    assert Transfer.objects.get().state == TransferState.PENDING


# The list ---------------------------------------------------------------------------------------


def test_the_list_offers_the_transfer_button_and_shows_pending_waiting_and_history(
    sign_in, start, org, owner, recipient, destination, hosting, domain, terms
):
    pending = start(owner, org, hosting).transfer
    done = start(owner, org, domain)
    receive_transfer(actor=recipient, token=done.token, destination=destination, accept_terms=True)
    # A transfer of another Organization, sent to the owner's address, waits for them.
    mail_product = factories.make_product(destination, "mail_service", name="mail.example")
    incoming = start(recipient, destination, mail_product).transfer
    Transfer.objects.filter(pk=incoming.pk).update(bound_email="owner@example.com")

    response = sign_in(owner).get(url("list", org.id))

    assert response.status_code == 200
    assertContains(response, f'href="{start_url(org)}">Transfer products</a>', html=False)
    body = html(response)
    ongoing = body.split('id="pending-title"')[1].split('id="waiting-title"')[0]
    assert "shop.example" in ongoing and url("detail", org.id, pending.id) in ongoing
    for action in (
        "Copy the transfer link",
        "Send it to an email address",
        "Complete the transfer",
        "Cancel the transfer",
    ):
        assert action in ongoing
    waiting = body.split('id="waiting-title"')[1].split('id="history-title"')[0]
    assert "Destination GmbH" in waiting and "mail.example" in waiting
    history = body.split('id="history-title"')[1]
    assert "example.ch" in history and "Completed" in history and "to Destination GmbH" in history
    assert "shop.example" not in history


def test_the_history_filters_by_state_and_direction(
    sign_in, start, org, owner, recipient, destination, terms
):
    a, b, c = (
        factories.make_product(org, name=name)
        for name in ("alpha.example", "bravo.example", "charlie.example")
    )
    cancel_transfer(actor=owner, transfer=start(owner, org, a).transfer)
    decline_transfer(actor=recipient, token=start(owner, org, b).token, reason="Not ours")
    received = start(owner, org, c)
    receive_transfer(actor=recipient, token=received.token, destination=destination, accept_terms=True)
    inbound = factories.make_product(destination, name="delta.example")
    factories.add_member(destination, owner, Role.ADMINISTRATOR)
    back = start(recipient, destination, inbound)
    receive_transfer(actor=owner, token=back.token, destination=org, accept_terms=True)
    client = sign_in(owner)

    def shown(**query):
        response = client.get(url("list", org.id), query)
        assert response.status_code == 200
        history = html(response).split('id="history-title"')[1]
        return {name for name in ("alpha", "bravo", "charlie", "delta") if f"{name}.example" in history}

    assert shown() == {"alpha", "bravo", "charlie", "delta"}
    assert shown(state="cancelled") == {"alpha"}
    assert shown(state="declined") == {"bravo"}
    assert shown(state="completed") == {"charlie", "delta"}
    assert shown(state="completed", direction="incoming") == {"delta"}
    assert shown(direction="outgoing") == {"alpha", "bravo", "charlie"}
    assert shown(state="expired") == set()


def test_a_bad_history_filter_is_refused_with_a_message(sign_in, org, owner):
    response = sign_in(owner).get(url("list", org.id), {"state": "nonsense"})
    assert response.status_code == 400
    assertContains(response, "Select a valid choice", status_code=400)


def _make_transfers(org, owner, count):
    """`count` pending transfers and `count` ended ones, each with two products."""
    products = factories.make_products(org, count * 4)
    for i in range(count * 2):
        ids = [products[2 * i].id, products[2 * i + 1].id]
        from handover.transfers.services import start_transfer

        transfer = start_transfer(
            actor=owner, organization=org, product_ids=ids, accept_terms=True, acknowledge_warnings=True
        ).transfer
        if i % 2:
            cancel_transfer(actor=owner, transfer=transfer)


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_makes_the_same_number_of_queries_whatever_the_number_of_transfers(
    sign_in, org, owner, terms, count, django_assert_num_queries
):
    _make_transfers(org, owner, count)
    client = sign_in(owner)
    client.get(url("list", org.id))  # warm the session
    with django_assert_num_queries(11):
        response = client.get(url("list", org.id))
    assert response.status_code == 200


# Starting: step 1 -------------------------------------------------------------------------------


def test_the_first_step_lists_the_products_with_the_reason_of_those_that_cannot_move(
    sign_in, start, org, owner, hosting, terms
):
    suite = factories.make_product(org, "ksuite", name="suite.example")
    paused = factories.make_product(org, status=ProductStatus.SUSPENDED, name="paused.example")
    busy = factories.make_product(org, name="busy.example")
    other = start(owner, org, busy).transfer

    client = sign_in(owner)
    response = client.get(start_url(org), {"product": str(hosting.id)})
    assert f'value="{hosting.id}" id="product-{hosting.id}" checked' in html(response)
    # Transferable only, by default: the others are folded behind their count.
    assert f'id="product-{suite.id}"' not in html(response)
    assertContains(response, "3 more products cannot be transferred now")

    response = client.get(start_url(org), {"blocked": "1"})

    assert response.status_code == 200
    body = html(response)
    assert f'value="{hosting.id}" id="product-{hosting.id}" checked' in body
    assert f'value="{suite.id}" id="product-{suite.id}" disabled' in body
    assert f'value="{paused.id}" id="product-{paused.id}" disabled' in body
    assert f'value="{busy.id}" id="product-{busy.id}" disabled' in body
    assert "kSuite cannot be transferred." in body
    assert (
        f'<span class="reason" id="reason-{paused.id}">' in body and "product cannot be transferred." in body
    )
    assert url("detail", org.id, other.id) in body
    assert 'data-select-all="products"' in body
    assertContains(response, terms.body)
    assertContains(response, reverse("terms:current"))
    assertContains(response, '<label class="inline" for="id_accept_terms">', html=False)
    assertContains(
        response, '<button type="submit" name="action" value="preview">Transfer</button>', html=True
    )


@pytest.mark.parametrize("count", [5, 50])
def test_the_first_step_makes_the_same_number_of_queries_whatever_the_number_of_products(
    sign_in, org, owner, terms, count, django_assert_num_queries
):
    factories.make_products(org, count)
    client = sign_in(owner)
    client.get(start_url(org))
    with django_assert_num_queries(10):
        assert client.get(start_url(org)).status_code == 200


def test_the_first_step_filters_products_by_type_and_name(sign_in, org, owner, hosting, domain, terms):
    client = sign_in(owner)
    body = html(client.get(start_url(org), {"type": "domain"}))
    assert "example.ch" in body and "shop.example" not in body
    body = html(client.get(start_url(org), {"q": "shop"}))
    assert "shop.example" in body and "example.ch" not in body


def test_transfer_without_accepting_the_conditions_is_refused(sign_in, org, owner, hosting, terms):
    response = preview(sign_in(owner), org, hosting, accept_terms="")
    assertContains(response, "Read and accept the general conditions first.", status_code=422)
    assertContains(response, f'value="{hosting.id}" id="product-{hosting.id}" checked', status_code=422)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    ("products", "status", "message"),
    [
        ([], 400, str(errors.NoProductsSelected.message)),
        (["not-a-uuid"], 400, "A selected product is not valid."),
        ([str(uuid.uuid4())], 404, "A selected product is not in this Organization."),
        ("duplicate", 400, str(errors.DuplicateProducts.message)),
        ("too_many", 400, "A transfer holds at most 20 products."),
    ],
)
def test_a_bad_selection_is_refused_with_a_message_and_nothing_changes(
    sign_in, org, owner, hosting, terms, products, status, message, settings
):
    settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER = 20
    if products == "duplicate":
        products = [str(hosting.id), str(hosting.id)]
    elif products == "too_many":
        products = [str(uuid.uuid4()) for _ in range(21)]
    response = sign_in(owner).post(
        start_url(org), {"products": products, "accept_terms": "on", "action": "preview"}
    )
    assertContains(response, message, status_code=status)
    assert not Transfer.objects.exists()


def test_a_product_of_another_organization_is_refused_as_not_found(sign_in, org, owner, other_org, terms):
    theirs = factories.make_product(other_org, name="theirs.example")
    for action in ("preview", "start"):
        response = sign_in(owner).post(
            start_url(org),
            {
                "products": [str(theirs.id)],
                "accept_terms": "on",
                "acknowledge_warnings": "on",
                "action": action,
            },
        )
        assert response.status_code == 404
        assertNotContains(response, "theirs.example", status_code=404)
    assert not Transfer.objects.exists()


def test_a_note_too_long_is_refused(sign_in, org, owner, hosting, terms):
    response = preview(sign_in(owner), org, hosting, note="x" * 2001)
    assertContains(response, "at most 2000 characters", status_code=400)
    assert not Transfer.objects.exists()


# Starting: step 2 -------------------------------------------------------------------------------


def test_the_warnings_name_who_loses_what_and_the_linked_products_left_behind(
    sign_in, org, owner, hosting, domain, terms
):
    bob = factories.add_member(
        org, factories.make_user("bob@example.com", name="Bob Builder"), Role.COLLABORATOR
    )
    team = factories.make_team(org, bob, name="Web agency")
    factories.grant(hosting, bob)
    factories.grant(hosting, team)
    mailbox = factories.make_product(org, "mail_service", name="mail.example.ch")
    domain.linked.add(mailbox)
    factories.make_invoice(org, hosting)

    response = preview(sign_in(owner), org, hosting, domain, note="Welcome")

    assert response.status_code == 200
    body = html(response)
    assert "Bob Builder will lose access to shop.example." in body
    assert "The team Web agency will lose its rights on shop.example." in body
    assert "Linked products stay behind unless you add them: mail.example.ch." in body
    assert "Invoices stay with the sending Organization" in body
    assert "The services keep running: the transfer causes no interruption." in body
    assert (
        '<span class="tag warning">Warning</span>' in body and '<span class="tag ready">Ready</span>' in body
    )
    assertContains(
        response,
        '<button type="submit" name="action" value="add_linked" class="secondary">Add them</button>',
        html=True,
    )
    assertContains(response, '<label class="inline" for="id_acknowledge_warnings">', html=False)
    assertContains(response, "Validate and start the transfer")
    assert not Transfer.objects.exists()

    # "Add them" shows the same step again with the linked product in the selection.
    response = sign_in(owner).post(
        start_url(org),
        {
            "products": [str(hosting.id), str(domain.id)],
            "accept_terms": "on",
            "note": "Welcome",
            "action": "add_linked",
        },
    )
    assert response.status_code == 200
    body = html(response)
    assert mailbox.name in body
    assert "Linked products stay behind" not in body
    assert '<input type="hidden" name="count" value="3">' in body
    assert 'name="note" value="Welcome"' in body
    assert not Transfer.objects.exists()


def test_a_blocked_product_sent_anyway_is_shown_blocked_and_can_be_removed(
    sign_in, org, owner, hosting, terms
):
    suite = factories.make_product(org, "ksuite", name="suite.example")
    client = sign_in(owner)
    data = {"products": [str(hosting.id), str(suite.id)], "accept_terms": "on"}

    response = client.post(start_url(org), {**data, "action": "preview"})
    assertContains(response, "kSuite cannot be transferred.")
    assertContains(response, "Remove them")

    response = client.post(start_url(org), {**data, "acknowledge_warnings": "on", "action": "start"})
    assertContains(response, "These products cannot be transferred: suite.example.", status_code=422)
    assert not Transfer.objects.exists()

    response = client.post(start_url(org), {**data, "action": "remove_blocked"})
    assert response.status_code == 200
    assert "suite.example" not in html(response)
    assert '<input type="hidden" name="count" value="1">' in html(response)
    response = client.post(
        start_url(org), {"accept_terms": "on", "acknowledge_warnings": "on", "count": "1", "action": "start"}
    )
    assert response.status_code == 302
    assert list(Transfer.objects.get().items.values_list("product_id", flat=True)) == [hosting.id]


def test_back_keeps_the_selection(sign_in, org, owner, hosting, domain, terms):
    response = sign_in(owner).post(
        start_url(org), {"products": [str(hosting.id)], "accept_terms": "on", "action": "back"}, follow=True
    )
    assert response.status_code == 200
    assert f'value="{hosting.id}" id="product-{hosting.id}" checked' in html(response)
    assert f'value="{domain.id}" id="product-{domain.id}">' in html(response)


def test_starting_without_acknowledging_the_warnings_is_refused(sign_in, org, owner, hosting, terms):
    response = sign_in(owner).post(
        start_url(org), {"products": [str(hosting.id)], "accept_terms": "on", "action": "start"}
    )
    assertContains(response, str(errors.WarningsNotAcknowledged.message), status_code=422)
    assertContains(response, "Validate and start the transfer", status_code=422)
    assert not Transfer.objects.exists()


def test_starting_a_product_already_in_a_pending_transfer_is_refused(
    sign_in, start, org, owner, hosting, terms
):
    start(owner, org, hosting)
    response = sign_in(owner).post(
        start_url(org),
        {
            "products": [str(hosting.id)],
            "accept_terms": "on",
            "acknowledge_warnings": "on",
            "action": "start",
        },
    )
    assertContains(response, "already part of a pending transfer", status_code=409)
    assert Transfer.objects.count() == 1


def test_starting_while_transfers_are_locked_is_refused(sign_in, org, owner, hosting, terms):
    org.transfers_locked = True
    org.save()
    client = sign_in(owner)
    assertContains(client.get(start_url(org)), "Transfers out of this Organization are locked")
    response = client.post(
        start_url(org),
        {
            "products": [str(hosting.id)],
            "accept_terms": "on",
            "acknowledge_warnings": "on",
            "action": "start",
        },
    )
    assertContains(response, escape(errors.TransfersLocked.message), status_code=422)
    assert not Transfer.objects.exists()


def test_validating_starts_the_transfer_and_shows_its_link_once(sign_in, org, admin, hosting, domain, terms):
    client = sign_in(admin)
    response = client.post(
        start_url(org),
        {
            "products": [str(hosting.id), str(domain.id)],
            "accept_terms": "on",
            "acknowledge_warnings": "on",
            "note": "For the agency",
            "action": "start",
        },
    )

    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.created_by, transfer.note) == (
        TransferState.PENDING,
        admin,
        "For the agency",
    )
    assert set(transfer.items.values_list("product_id", flat=True)) == {hosting.id, domain.id}
    assert response.status_code == 302
    assert response["Location"] == url("detail", org.id, transfer.id)
    # Only the link's hash waits in the session (SPEC §6.2); the page derives the secret again.
    assert client.session[_link_key(transfer.id)] == transfer.link_hash
    token = link_secret(transfer.id, transfer.link_nonce)
    assert transfer_get_by_token(token=token) == transfer
    assert token not in str(dict(client.session))

    response = client.get(response["Location"])
    # No Referer to other sites, and not cached. (Not no-referrer: browsers would then post the page's
    # forms with `Origin: null`, which the CSRF check refuses; the address holds no secret anyway.)
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assertContains(response, "The transfer has started. Now, at your choice:")
    assertContains(response, f'value="http://127.0.0.1:8000/transfers/receive/{token}" readonly')
    assertContains(response, 'data-copy="transfer-link"')
    assert _link_key(transfer.id) not in client.session

    again = client.get(url("detail", org.id, transfer.id))
    assertNotContains(again, token)
    assertContains(again, "a transfer link is shown only once")
    assertContains(again, "Get a new link")


def test_starting_asks_for_the_password_again_and_then_goes_on(client, org, owner, hosting, terms):
    client.force_login(owner)
    data = {
        "products": [str(hosting.id)],
        "accept_terms": "on",
        "acknowledge_warnings": "on",
        "action": "start",
    }

    # Looking and previewing need no password; starting does.
    assert client.get(start_url(org)).status_code == 200
    assert client.post(start_url(org), {**data, "action": "preview"}).status_code == 200
    response = client.post(start_url(org), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Transfer.objects.exists()

    response = client.post(response["Location"], {"password": PASSWORD})
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", org.id, transfer.id)
    assert client.session[_link_key(transfer.id)]


def test_a_sign_in_a_moment_ago_counts_and_an_old_one_does_not(client, org, owner, hosting, domain, terms):
    """SPEC §3.5: the password is asked again only if the last sign-in is older than a few minutes."""
    data = {"accept_terms": "on", "acknowledge_warnings": "on", "action": "start"}
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        response = client.post(reverse("account_login"), {"login": owner.email, "password": PASSWORD})
        assert response.status_code == 302

        response = client.post(start_url(org), {**data, "products": [str(hosting.id)]})
        assert response.status_code == 302
        assert response["Location"] == url("detail", org.id, Transfer.objects.get().id)

        traveller.shift(timedelta(seconds=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1))
        response = client.post(start_url(org), {**data, "products": [str(domain.id)]})
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Transfer.objects.count() == 1


# A transfer's page -------------------------------------------------------------------------------


def test_the_page_of_a_transfer_says_who_started_it_when_and_until_when(sign_in, pending, org, owner):
    response = sign_in(owner).get(url("detail", org.id, pending.id))
    assert response.status_code == 200
    assertContains(response, "Olivia Owner")
    assertContains(response, "shop.example")
    assertContains(response, "Web hosting")
    assertContains(response, pending.expires_at.isoformat())
    assertContains(response, "Pending")


def test_get_a_new_link_replaces_the_old_one(sign_in, start, org, owner, hosting):
    started = start(owner, org, hosting)
    client = sign_in(owner)

    response = client.post(url("rotate", org.id, started.transfer.id), {})

    assert response.status_code == 302
    assert response["Location"] == url("detail", org.id, started.transfer.id) + "#copy"
    assert transfer_get_by_token(token=started.token) is None
    rotated = Transfer.objects.get()
    assert client.session[_link_key(rotated.id)] == rotated.link_hash
    new = link_secret(rotated.id, rotated.link_nonce)
    assert transfer_get_by_token(token=new) == started.transfer
    page = client.get(response["Location"])
    assertContains(page, new)
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_LINK_ROTATED).count() == 1


def test_send_the_link_to_an_email_address(sign_in, start, org, owner, hosting, run_tasks):
    started = start(owner, org, hosting)
    client = sign_in(owner)

    response = client.post(
        url("send", org.id, started.transfer.id),
        {"email": "Rita@Example.com", "message": "Here it is", "bind_to_email": "on"},
    )

    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.bound_email == "rita@example.com"
    assert transfer_get_by_token(token=started.token) is None
    assertContains(client.get(response["Location"]), "The transfer link was sent to rita@example.com")
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["rita@example.com"]
    assert "Here it is" in message.body
    assert "/transfers/receive/" in message.body


def test_send_the_link_unbound_when_the_box_is_unticked(sign_in, start, org, owner, hosting):
    started = start(owner, org, hosting)
    sign_in(owner).post(url("send", org.id, started.transfer.id), {"email": "rita@example.com"})
    assert Transfer.objects.get().bound_email == ""


def test_the_send_form_ticks_only_this_address_by_default(sign_in, pending, org, owner):
    response = sign_in(owner).get(url("detail", org.id, pending.id))
    assertContains(
        response, '<input type="checkbox" name="bind_to_email" id="id_bind_to_email" checked>', html=True
    )
    assertContains(response, "Only this email address can receive it")
    assertContains(response, "the previous link stops working")


def test_sending_to_a_bad_address_is_refused_and_changes_nothing(sign_in, start, org, owner, hosting):
    started = start(owner, org, hosting)
    response = sign_in(owner).post(url("send", org.id, started.transfer.id), {"email": "nope"})
    assertContains(response, "Enter a valid email address.", status_code=400)
    assert transfer_get_by_token(token=started.token) == started.transfer
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSFER_LINK_SENT).exists()


def test_complete_the_transfer_into_another_organization_of_the_user(
    sign_in, start, org, owner, hosting, terms
):
    mine = factories.make_org("Owner Holding", owner=owner)
    watched = factories.make_org("Only Watching")
    factories.add_member(watched, owner, Role.COLLABORATOR)
    transfer = start(owner, org, hosting).transfer
    client = sign_in(owner)

    page = client.get(url("detail", org.id, transfer.id))
    body = html(page)
    select = body.split('name="destination"')[1].split("</select>")[0]
    assert f'<option value="{mine.id}" selected>Owner Holding</option>' in select  # the only one
    assert "Owner Holding" in select and "Only Watching" not in select and "Source SA" not in select

    response = client.post(url("complete", org.id, transfer.id), {"destination": str(mine.id)})
    assertContains(response, str(errors.TermsNotAccepted.message), status_code=422)
    assert Product.objects.get(pk=hosting.pk).organization == org

    for bad in (str(watched.id), str(org.id), "garbage"):
        response = client.post(
            url("complete", org.id, transfer.id),
            {"destination": bad, "accept_terms": "on"},
        )
        assertContains(response, "Select a valid choice", status_code=400)
    response = client.post(url("complete", org.id, transfer.id), {"accept_terms": "on"})
    assertContains(response, "Choose the Organization that receives the products.", status_code=400)
    assert Product.objects.get(pk=hosting.pk).organization == org

    response = client.post(
        url("complete", org.id, transfer.id),
        {"destination": str(mine.id), "accept_terms": "on"},
    )
    assert response.status_code == 302
    # The destination's products page, showing what just arrived
    assert response["Location"] == reverse("products:list", args=[mine.id]) + f"?transfer={transfer.id}"
    transfer.refresh_from_db()
    assert (transfer.state, transfer.destination_organization, transfer.received_by) == (
        TransferState.COMPLETED,
        mine,
        owner,
    )
    assert Product.objects.get(pk=hosting.pk).organization == mine

    # The page of the completed transfer, seen from both sides.
    for side in (org, mine):
        page = client.get(url("detail", side.id, transfer.id))
        assertContains(page, "Owner Holding")
        assertContains(page, "Completed")
        assertNotContains(page, "The transfer has started")


def test_cancel_the_transfer(sign_in, pending, org, owner):
    client = sign_in(owner)
    page = client.get(url("detail", org.id, pending.id))
    cancel = url("cancel", org.id, pending.id)
    assertContains(page, f'<a class="btn danger" href="{cancel}">Cancel the transfer</a>', html=True)

    response = client.post(url("cancel", org.id, pending.id), {"reason": "Wrong product"})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.state, pending.end_reason, pending.ended_by) == (
        TransferState.CANCELLED,
        "Wrong product",
        owner,
    )
    assert not TransferItem.objects.filter(pending=True).exists()
    page = client.get(response["Location"])
    assertContains(page, "The transfer was cancelled.")
    assertContains(page, "Wrong product")
    assertNotContains(page, "Get a new link")

    again = client.post(url("cancel", org.id, pending.id), {})
    assertContains(again, str(errors.TRANSFER_WAS_CANCELLED), status_code=409)


def test_actions_on_an_expired_transfer_are_refused_as_gone(sign_in, pending, org, owner):
    Transfer.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = sign_in(owner)
    for action in ("rotate", "cancel"):
        response = client.post(url(action, org.id, pending.id))
        assertContains(response, str(errors.TransferExpired.message), status_code=410)
    assert Transfer.objects.get().state == TransferState.PENDING


def test_the_page_of_a_transfer_takes_no_post_and_each_action_no_get_but_its_confirm_step(
    sign_in, pending, org, owner
):
    client = sign_in(owner)
    assert client.post(url("detail", org.id, pending.id), {"action": "cancel"}).status_code == 405
    for action in ("send", "complete"):
        assert client.get(url(action, org.id, pending.id)).status_code == 405
    for action in ("rotate", "cancel"):  # the confirm step (tests/web/test_confirm.py)
        assert client.get(url(action, org.id, pending.id)).status_code == 200
    assert Transfer.objects.get().state == TransferState.PENDING


def test_each_action_of_the_page_posts_to_its_own_address(sign_in, pending, org, owner):
    factories.make_org("Owner Holding", owner=owner)  # where the transfer could be completed
    page = html(sign_in(owner).get(url("detail", org.id, pending.id)))
    for action in ("send", "complete"):
        assert f'action="{url(action, org.id, pending.id)}"' in page
    for action in ("rotate", "cancel"):  # through their confirm step
        assert f'href="{url(action, org.id, pending.id)}"' in page
    assert 'name="action"' not in page


@pytest.mark.parametrize("count", [5, 60])
def test_the_page_of_a_transfer_makes_the_same_number_of_queries_whatever_its_size(
    sign_in, start, org, owner, terms, count, django_assert_num_queries
):
    transfer = start(owner, org, *factories.make_products(org, count)).transfer
    client = sign_in(owner)
    with django_assert_num_queries(15):  # the session's first page of the Organization records it as used
        assert client.get(url("detail", org.id, transfer.id)).status_code == 200


def test_completing_asks_for_the_password_again_and_then_goes_on(client, start, org, owner, hosting, terms):
    mine = factories.make_org("Owner Holding", owner=owner)
    transfer = start(owner, org, hosting).transfer
    client.force_login(owner)

    response = client.post(
        url("complete", org.id, transfer.id),
        {"destination": str(mine.id), "accept_terms": "on"},
    )
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Transfer.objects.get().state == TransferState.PENDING

    response = client.post(response["Location"], {"password": PASSWORD})
    # The destination's products page, showing what just arrived
    assert response["Location"] == reverse("products:list", args=[mine.id]) + f"?transfer={transfer.id}"
    assert Product.objects.get(pk=hosting.pk).organization == mine


def test_sending_too_many_links_is_stopped_with_429(sign_in, pending, org, owner, settings):
    settings.HANDOVER_RATE_LIMITS = {**settings.HANDOVER_RATE_LIMITS, "send_link": {"user": 1}}
    client = sign_in(owner)
    data = {"bind_to_email": "on"}
    client.post(url("send", org.id, pending.id), {**data, "email": "a@example.com"})

    response = client.post(url("send", org.id, pending.id), {**data, "email": "b@example.com"})

    assertContains(response, "Too many requests", status_code=429)
    assert response["Retry-After"] == "3600"
    assert Transfer.objects.get().bound_email == "a@example.com"


def test_the_history_is_paged_and_keeps_its_filters(sign_in, org, owner, terms):
    _make_transfers(org, owner, 30)  # 30 cancelled
    client = sign_in(owner)

    response = client.get(url("list", org.id), {"state": "cancelled"})

    assertContains(response, "Page 1 of 2")
    assertContains(response, "?state=cancelled&amp;page=2")
    second = client.get(url("list", org.id), {"state": "cancelled", "page": "2"})
    history = html(second).split('id="history-title"')[1]
    assert history.count('<span class="tag cancelled">') == 5
