"""The set-based building blocks of handover.db, on the database under test (SQLite or PostgreSQL)."""

import uuid

import pytest
from django.db import connection
from django.db.models import UUIDField, Value
from django.test.utils import CaptureQueriesContext

from handover.db import IdList, NewUUID, insert_from
from handover.organizations.models import Membership, Role
from handover.products.models import Product
from tests.support import factories


def test_a_list_of_40000_ids_is_one_parameter(org):
    """Beyond SQLite's 32,766 parameters, in one statement."""
    products = factories.make_products(org, 3)
    ids = [uuid.uuid4() for _ in range(40_000)] + [products[0].id, products[2].id]

    with CaptureQueriesContext(connection) as queries:
        found = set(Product.objects.filter(id__in=IdList(ids)).values_list("id", flat=True))

    assert found == {products[0].id, products[2].id}
    assert len(queries) == 1


def test_the_database_makes_distinct_version_4_uuids(org):
    factories.make_products(org, 500)

    made = list(Product.objects.annotate(made=NewUUID()).values_list("made", flat=True))

    assert len(set(made)) == 500
    assert {uuid.UUID(str(value)).version for value in made} == {4}


def test_insert_from_writes_every_row_in_one_statement_and_can_skip_conflicts(org, owner):
    others = [factories.make_user() for _ in range(3)]
    people = factories.make_org("People")
    for user in [owner, *others]:
        Membership.objects.create(organization=people, user=user, role=Role.ADMINISTRATOR)
    rows = Membership.objects.filter(organization=people).annotate(
        new_id=NewUUID(),
        target=Value(org.id, output_field=UUIDField()),
        new_role=Value(Role.COLLABORATOR.value),
    )
    columns = {
        "id": "new_id",
        "organization": "target",
        "user": "user_id",
        "role": "new_role",
        "created_at": "created_at",
    }

    with CaptureQueriesContext(connection) as queries:
        inserted = insert_from(Membership, rows, columns=columns, ignore_conflicts=True)

    assert (inserted, len(queries)) == (3, 1)  # the owner was a member already and stays one
    assert dict(Membership.objects.filter(organization=org).values_list("user", "role")) == {
        owner.id: Role.LEGAL_REPRESENTATIVE,
        **{user.id: Role.COLLABORATOR for user in others},
    }


def test_insert_from_refuses_to_skip_conflicts_without_a_where_clause(org):
    with pytest.raises(ValueError, match="WHERE"):
        insert_from(
            Membership,
            Membership.objects.annotate(new_id=NewUUID()),
            columns={"id": "new_id"},
            ignore_conflicts=True,
        )
