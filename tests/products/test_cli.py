"""The `handover product` and `handover access` commands."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Role
from handover.products.models import Product, ProductAccess
from tests.support import factories
from tests.support.processes import embedded_env, run_handover

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# product create


def test_product_create_by_organization_name_prints_the_id(org):
    output = run("product", "create", "Source SA", "--type", "domain", "--name", "example.com")

    product = Product.objects.get()
    assert output.strip() == str(product.id)
    assert (product.organization, product.type, product.name, product.status) == (
        org,
        "domain",
        "example.com",
        "active",
    )
    event = AuditEvent.objects.get(action=AuditAction.PRODUCT_CREATED)
    assert event.actor is None


def test_product_create_by_id_with_status_renewal_and_json(org):
    output = run(
        "product",
        "create",
        str(org.id),
        "--type",
        "vps",
        "--name",
        "vps-1",
        "--status",
        "suspended",
        "--renews-on",
        "2027-02-01",
        "--json",
    )

    shape = json.loads(output)
    product = Product.objects.get()
    assert shape["id"] == str(product.id)
    assert shape["type_label"] == "VPS"
    assert (shape["status"], shape["renews_on"], shape["transferable"]) == ("suspended", "2027-02-01", False)
    assert shape["pending_transfer_id"] is None


def test_product_create_with_count_prints_n_ids(org):
    output = run("product", "create", "Source SA", "--type", "web_hosting", "--name", "site", "--count", "3")

    ids = output.split()
    assert len(ids) == 3
    assert sorted(Product.objects.values_list("name", flat=True)) == ["site-1", "site-2", "site-3"]
    assert set(ids) == {str(pk) for pk in Product.objects.values_list("id", flat=True)}


def test_product_create_with_count_and_json_prints_a_list(org):
    shapes = json.loads(
        run("product", "create", "Source SA", "--type", "backup", "--name", "b", "--count", "2", "--json")
    )
    assert [s["name"] for s in shapes] == ["b-1", "b-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nowhere", "--type", "domain", "--name", "x"], "No Organization has the id or the exact name"),
        (["Source SA", "--type", "toaster", "--name", "x"], "Valid types: web_hosting"),
        (["Source SA", "--type", "domain", "--name", " "], "A product name is required"),
        (["Source SA", "--type", "domain", "--name", "x", "--status", "gone"], "Unknown product status"),
        (["Source SA", "--type", "domain", "--name", "x", "--count", "0"], "between 1 and"),
        (["Source SA", "--type", "domain", "--name", "x", "--renews-on", "soon"], "YYYY-MM-DD"),
    ],
)
def test_product_create_refuses_bad_input_and_changes_nothing(org, args, message):
    with pytest.raises(CommandError, match=message):
        run("product", "create", *args)
    assert not Product.objects.exists()


# access grant / revoke


def test_access_grant_prints_the_access_id_and_updates_the_level(org):
    product = factories.make_product(org)
    member = factories.add_member(org, factories.make_user("bob@example.com"), Role.COLLABORATOR)

    first = run("access", "grant", str(product.id), "BOB@example.com", "--level", "use").strip()
    shape = json.loads(
        run("access", "grant", str(product.id), "bob@example.com", "--level", "manage", "--json")
    )

    access = ProductAccess.objects.get()
    assert first == str(access.id)
    assert (access.user, access.level) == (member, "manage")
    assert shape == {
        "id": str(access.id),
        "product_id": str(product.id),
        "user": {"id": str(member.id), "email": "bob@example.com"},
        "team": None,
        "level": "manage",
        "created_at": shape["created_at"],
    }


def test_access_revoke_removes_the_right(org):
    product = factories.make_product(org)
    member = factories.add_member(org, factories.make_user("bob@example.com"), Role.COLLABORATOR)
    factories.grant(product, member)

    output = run("access", "revoke", str(product.id), "bob@example.com")

    assert "no longer has a right" in output
    assert not ProductAccess.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.PRODUCT_ACCESS_REVOKED).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-a-uuid", "bob@example.com", "--level", "use"], "does not exist"),
        (["{product}", "nobody@example.com", "--level", "use"], "nobody@example.com"),
        (["{product}", "outsider@example.com", "--level", "use"], "is not a member"),
        (["{product}", "bob@example.com", "--level", "owner"], "Unknown access level"),
    ],
)
def test_access_grant_refuses_bad_input(org, args, message):
    product = factories.make_product(org)
    factories.add_member(org, factories.make_user("bob@example.com"), Role.COLLABORATOR)
    factories.make_user("outsider@example.com")
    with pytest.raises(CommandError, match=message):
        run("access", "grant", *[a.format(product=product.id) for a in args])
    assert not ProductAccess.objects.exists()


def test_access_revoke_without_a_right_is_refused(org):
    product = factories.make_product(org)
    factories.add_member(org, factories.make_user("bob@example.com"), Role.COLLABORATOR)
    with pytest.raises(CommandError, match="has no access of their own"):
        run("access", "revoke", str(product.id), "bob@example.com")


@pytest.mark.slow
def test_a_refusal_is_one_line_on_stderr_and_a_non_zero_exit(tmp_path):
    env = embedded_env(tmp_path)
    run_handover(env, "migrate", "--verbosity", "0")
    result = run_handover(env, "product", "create", "Nowhere", "--type", "domain", "--name", "x", check=False)

    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "No Organization has the id or the exact name “Nowhere”" in result.stderr
