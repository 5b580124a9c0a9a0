"""Schemathesis over /api/v1/openapi.json: generated requests, valid and invalid, against every
operation, authenticated with a real personal API token. No answer may be a 5xx, and every answer
must match what the document declares (status, content type, headers, body schema).

Ids are pointed at real objects (an Organization where the token's user is legal representative,
one of its pending transfers and its link, products, a destination), so that requests reach the code
behind the checks rather than stopping at 404; everything else is generated.
"""

import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from handover.accounts.services import create_api_token
from handover.organizations.models import Role
from handover.transfers.services import start_transfer
from handover.wsgi import application
from tests.support import factories

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25

# Valid data may still be refused by a rule the schema cannot express (a product of another
# Organization, the terms not accepted, a transfer no longer pending): those statuses are declared.
ACCEPTABLE_FOR_VALID_DATA = ["2xx", "400", "401", "403", "404", "409", "410", "422", "429"]


CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES},
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTABLE_FOR_VALID_DATA}},
        "phases": {"stateful": {"enabled": False}},
    }
)
# Loaded at collection, as schemathesis' pytest plugin wants it; the document needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture
def same_connection(db):
    """Requests go straight to the WSGI application, whose end-of-request signal closes the database
    connection that holds the test's transaction (PostgreSQL); Django's test client disconnects it the
    same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(same_connection, terms, owner, org):
    """An Organization where the token's user is legal representative, with products, an invoice, a
    collaborator, one pending transfer, and a second Organization of the same user to receive into."""
    destination = factories.make_org("Destination GmbH", owner=owner)
    factories.add_member(org, factories.make_user(), Role.COLLABORATOR)
    products = factories.make_products(org, 5)
    factories.make_invoice(org, *products[:2])
    started = start_transfer(
        actor=owner,
        organization=org,
        product_ids=[products[0].id],
        accept_terms=True,
        acknowledge_warnings=True,
    )
    _, secret = create_api_token(user=owner, name="schemathesis")
    return {
        "authorization": f"Bearer {secret}",
        "path": {
            "org_id": str(org.id),
            "transfer_id": str(started.transfer.id),
            "webhook_id": str(factories.make_webhook(org).id),
        },
        "body": {
            "token": started.token,
            "destination_organization_id": str(destination.id),
            "product_ids": [str(p.id) for p in products[1:]],
        },
    }


def _aim_at_real_objects(case, world):
    """Point generated ids at real objects, so that requests get past "not found": a path id that is
    a UUID, and in valid bodies the link secret, the destination and the products. Deliberately
    invalid values are left as generated."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in world["path"] and _is_uuid(value):
            case.path_parameters[name] = world["path"][name]
    if not (case.meta and case.meta.generation.mode.is_positive and isinstance(case.body, dict)):
        return
    for name, real in world["body"].items():
        if name == "product_ids" and isinstance(case.body.get(name), list):
            case.body[name] = real[: max(1, min(len(case.body[name]), len(real)))]
        elif isinstance(case.body.get(name), str):
            case.body[name] = real


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_what_its_document_declares(case, world):
    _aim_at_real_objects(case, world)
    case.call_and_validate(headers={"Authorization": world["authorization"]})
