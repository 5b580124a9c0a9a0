"""The operator commands `handover user create`, `handover token create` and `handover org ...`."""

import json

import pytest
from allauth.account.models import EmailAddress

from handover.accounts.models import ApiToken, User
from handover.accounts.services import authenticate_api_token
from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Membership, Organization, Role
from handover.transfers.models import TransferState
from tests.support import factories


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and text.endswith("\n")


# user create ------------------------------------------------------------------------------------


def test_user_create_prints_the_id_of_a_verified_user(cli):
    run = cli("user", "create", "Ada@Example.com", "--password", "a long pass phrase", "--name", "Ada")
    assert run.code == 0
    user = User.objects.get(email="ada@example.com")
    assert run.out == f"{user.id}\n"
    assert user.name == "Ada"
    assert user.check_password("a long pass phrase")
    assert EmailAddress.objects.get(user=user).verified


def test_user_create_without_a_password_leaves_it_to_the_user(cli):
    assert cli("user", "create", "ada@example.com").code == 0
    assert not User.objects.get().has_usable_password()


def test_user_create_json_prints_the_api_shape(cli):
    run = cli("user", "create", "ada@example.com", "--name", "Ada", "--json")
    user = User.objects.get()
    assert json.loads(run.out) == {
        "id": str(user.id),
        "email": "ada@example.com",
        "name": "Ada",
        "language": "",
    }


@pytest.mark.parametrize(
    ("email", "message"), [("not-an-email", "valid email"), ("taken@example.com", "already exists")]
)
def test_user_create_refuses_bad_input_with_one_line(cli, email, message):
    factories.make_user("taken@example.com")
    run = cli("user", "create", email)
    assert run.code == 1
    assert run.out == ""
    assert one_line(run.err)
    assert message in run.err
    assert User.objects.count() == 1


# token create -----------------------------------------------------------------------------------


def test_token_create_prints_a_working_secret_once(cli):
    user = factories.make_user("ada@example.com")
    run = cli("token", "create", "ADA@example.com", "--name", "deploy")
    assert run.code == 0
    secret = run.out.strip()
    assert authenticate_api_token(secret=secret) == user
    token = ApiToken.objects.get()
    assert token.name == "deploy"
    assert secret not in {token.token_hash, token.prefix}


def test_token_create_json_includes_the_secret(cli):
    factories.make_user("ada@example.com")
    body = json.loads(cli("token", "create", "ada@example.com", "--json").out)
    token = ApiToken.objects.get()
    assert body["id"] == str(token.id)
    assert body["name"] == "API token"
    assert body["prefix"] == token.prefix
    assert body["token"].startswith(token.prefix)
    assert body["revoked_at"] is None


def test_token_create_for_an_unknown_user_fails_with_one_line(cli):
    run = cli("token", "create", "nobody@example.com")
    assert run.code == 1
    assert one_line(run.err)
    assert "nobody@example.com" in run.err
    assert not ApiToken.objects.exists()


# org create and add-member ----------------------------------------------------------------------


def test_org_create_prints_the_id_and_makes_the_owner_legal_representative(cli):
    owner = factories.make_user("ada@example.com")
    run = cli("org", "create", "Acme SA", "--owner", "ada@example.com")
    assert run.code == 0
    organization = Organization.objects.get()
    assert run.out == f"{organization.id}\n"
    assert Membership.objects.get(organization=organization).user == owner
    assert Membership.objects.get(organization=organization).role == Role.LEGAL_REPRESENTATIVE


def test_org_create_json_prints_the_api_shape(cli):
    factories.make_user("ada@example.com")
    body = json.loads(
        cli("org", "create", "Acme SA", "--owner", "ada@example.com", "--country", "fr", "--json").out
    )
    organization = Organization.objects.get()
    assert body["id"] == str(organization.id)
    assert (body["name"], body["country"], body["role"]) == ("Acme SA", "FR", "legal_representative")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Acme", "--owner", "nobody@example.com"], "nobody@example.com"),
        (["", "--owner", "ada@example.com"], "name"),
        (["Acme", "--owner", "ada@example.com", "--country", "Suisse"], "two-letter"),
    ],
)
def test_org_create_refuses_bad_input_with_one_line(cli, args, message):
    factories.make_user("ada@example.com")
    run = cli("org", "create", *args)
    assert run.code == 1
    assert one_line(run.err)
    assert message in run.err
    assert not Organization.objects.exists()


def test_org_add_member_by_name_or_id(cli, org):
    run = cli("org", "add-member", "Source SA", "new@example.com", "--role", "administrator")
    assert run.code == 0
    assert run.out == "new@example.com is now administrator of Source SA.\n"
    assert Membership.objects.get(user__email="new@example.com").role == Role.ADMINISTRATOR
    existing = factories.make_user("known@example.com")
    body = json.loads(
        cli("org", "add-member", str(org.id), "known@example.com", "--role", "collaborator", "--json").out
    )
    membership = Membership.objects.get(user=existing)
    assert body == {
        "id": str(membership.id),
        "organization": {"id": str(org.id), "name": "Source SA"},
        "user": {"id": str(existing.id), "email": "known@example.com", "name": existing.name, "language": ""},
        "role": "collaborator",
        "created_at": membership.created_at.isoformat().replace("+00:00", "Z"),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nobody Inc", "n@example.com", "--role", "collaborator"], "Nobody Inc"),
        (["Twin", "n@example.com", "--role", "collaborator"], "Several Organizations"),
        (
            ["Source SA", "n@example.com", "--role", "boss"],
            "legal_representative, administrator or collaborator",
        ),
        (["Source SA", "owner@example.com", "--role", "administrator"], "already a member"),
        (["Source SA", "nope", "--role", "collaborator"], "valid email"),
    ],
)
def test_org_add_member_refuses_bad_input_with_one_line(cli, org, args, message):
    factories.make_org("Twin")
    factories.make_org("Twin")
    run = cli("org", "add-member", *args)
    assert run.code == 1
    assert one_line(run.err)
    assert message in run.err
    assert Membership.objects.count() == 1


@pytest.mark.slow
def test_the_real_command_line_exits_non_zero_with_one_line(real_cli):
    run = real_cli("user", "create", "not-an-email")
    assert run.code == 1
    assert run.out == ""
    assert run.err == "CommandError: Enter a valid email address.\n"
    usage = real_cli("org", "create")
    assert usage.code == 2
    assert "required" in usage.err


# org set-role, org remove-member: the Members page's rules, for operators ------------------------


def test_org_set_role_demotes_an_administrator_whose_pending_transfers_end(cli, org, owner):
    admin = factories.add_member(org, factories.make_user("admin@example.com"), Role.ADMINISTRATOR)
    transfer = factories.make_pending_transfer(org, admin, factories.make_product(org, "domain"))

    run = cli("org", "set-role", "Source SA", "admin@example.com", "--role", "collaborator")

    assert (run.code, run.out) == (0, "admin@example.com is now collaborator of Source SA.\n")
    assert Membership.objects.get(user=admin).role == Role.COLLABORATOR
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CANCELLED
    assert AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_ROLE_CHANGED).count() == 1


def test_org_remove_member_takes_their_rights_and_keeps_the_last_legal_representative(cli, org, owner):
    factories.add_member(org, factories.make_user("admin@example.com"), Role.ADMINISTRATOR)

    removed = cli("org", "remove-member", str(org.id), "admin@example.com")
    last = cli("org", "remove-member", "Source SA", "owner@example.com")
    demoted = cli("org", "set-role", "Source SA", "owner@example.com", "--role", "collaborator")
    stranger = cli("org", "remove-member", "Source SA", "nobody@example.com")

    assert (removed.code, removed.out) == (0, "admin@example.com is no longer a member of Source SA.\n")
    for refused in (last, demoted, stranger):
        assert refused.code == 1 and one_line(refused.err), refused
    assert "legal representative" in last.err and "legal representative" in demoted.err
    assert list(Membership.objects.values_list("user__email", "role")) == [
        ("owner@example.com", Role.LEGAL_REPRESENTATIVE)
    ]
