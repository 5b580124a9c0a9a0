"""The whole transfer of SPEC §2 through the API only, checked through the API only."""

from handover.organizations.models import Role
from handover.products.models import AccessLevel
from tests.support import factories


def test_a_transfer_from_preview_to_receipt_as_an_integrator_sees_it(
    api, terms, owner, org, recipient, destination
):
    # The source: a domain with its mail service, a kDrive, a product that stays, an invoice.
    domain = factories.make_product(org, "domain", name="example.ch")
    mailbox = factories.make_product(org, "mail_service", name="mail.example.ch")
    drive = factories.make_product(org, "kdrive", name="Team drive")
    stays = factories.make_product(org, "web_hosting", name="stays.example")
    domain.linked.add(mailbox)
    bob = factories.add_member(org, factories.make_user("bob@example.com", name="Bob"), Role.COLLABORATOR)
    carol = factories.add_member(
        org, factories.make_user("carol@example.com", name="Carol"), Role.COLLABORATOR
    )
    factories.grant(domain, bob)
    factories.grant(drive, carol, AccessLevel.MANAGE)
    invoice = factories.make_invoice(org, domain, stays)
    source, receiving = api(owner), api(recipient)
    moving = [domain, mailbox, drive]
    ids = [str(p.id) for p in moving]

    # Preview: the warnings name who loses what; nothing is blocked.
    preview = source.post(
        f"/organizations/{org.id}/transfers/preview", {"product_ids": ids[:1] + ids[2:]}
    ).json()
    assert preview["can_start"] is True
    assert [p["name"] for p in preview["linked_products_left_behind"]] == ["mail.example.ch"]
    preview = source.post(f"/organizations/{org.id}/transfers/preview", {"product_ids": ids}).json()
    assert preview["linked_products_left_behind"] == []
    assert [u["user"]["email"] for u in preview["users_losing_access"]] == ["bob@example.com"]
    assert [u["user"]["email"] for u in preview["users_moving"]] == ["carol@example.com"]

    # Start, then get a new link: the first one dies.
    started = source.post(
        f"/organizations/{org.id}/transfers",
        {"product_ids": ids, "accept_terms": True, "acknowledge_warnings": True, "note": "As agreed"},
    )
    assert started.status_code == 201
    transfer_id, first_token = started.json()["id"], started.json()["token"]
    products = source.get(f"/organizations/{org.id}/products").json()["items"]
    assert {p["name"]: p["pending_transfer_id"] for p in products} == {
        "Team drive": transfer_id,
        "example.ch": transfer_id,
        "mail.example.ch": transfer_id,
        "stays.example": None,
    }
    rotated = source.post(f"/transfers/{transfer_id}/link").json()
    token = rotated["token"]
    assert receiving.post("/transfer-links/inspect", {"token": first_token}).status_code == 404

    # Inspect, then receive (twice: the second answers the same transfer).
    inspected = receiving.post("/transfer-links/inspect", {"token": token}).json()
    assert (inspected["state"], inspected["note"]) == ("pending", "As agreed")
    assert sorted(p["name"] for p in inspected["products"]) == sorted(p.name for p in moving)
    body = {"token": token, "destination_organization_id": str(destination.id), "accept_terms": True}
    received = receiving.post("/transfer-links/receive", body)
    assert received.status_code == 200
    assert receiving.post("/transfer-links/receive", body).json() == received.json()
    assert received.json()["state"] == "completed"
    assert source.get(f"/organizations/{org.id}/transfers", {"state": "completed"}).json()["items"] == [
        received.json()
    ]

    # Products: the destination holds them, the source keeps the one that stayed.
    def names(client, organization):
        return sorted(
            p["name"] for p in client.get(f"/organizations/{organization.id}/products").json()["items"]
        )

    assert names(receiving, destination) == ["Team drive", "example.ch", "mail.example.ch"]
    assert names(source, org) == ["stays.example"]

    # Access: Bob lost his, Carol moved with the kDrive as a collaborator who uses it.
    assert names(api(bob), org) == []
    assert [(m["organization"]["name"], m["role"]) for m in api(carol).get("/me").json()["memberships"]] == [
        ("Destination GmbH", "collaborator"),
        ("Source SA", "collaborator"),
    ]
    assert names(api(carol), destination) == ["Team drive"]

    # Invoices stay with the source; the destination has none.
    assert [i["number"] for i in source.get(f"/organizations/{org.id}/invoices").json()["items"]] == [
        invoice.number
    ]
    assert receiving.get(f"/organizations/{destination.id}/invoices").json() == {"items": [], "count": 0}

    # Both audit logs tell the story, with the transfer's id.
    def actions(client, organization):
        events = client.get(f"/organizations/{organization.id}/audit-events", {"limit": 200}).json()["items"]
        return [e["action"] for e in reversed(events) if e["target_id"] == transfer_id]

    source_actions = actions(source, org)
    assert source_actions[:2] == ["transfer:started", "transfer:link_rotated"]
    assert "transfer:completed" in source_actions
    assert "transfer:received" in actions(receiving, destination)
