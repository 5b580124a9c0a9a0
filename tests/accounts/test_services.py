"""Users, profiles and personal API tokens."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from handover.accounts import services
from handover.accounts.errors import EmailTaken, InvalidEmailAddress, InvalidProfile, InvalidTokenName
from handover.accounts.models import ApiToken, User
from handover.errors import NotFound
from handover.hashing import hash_secret
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_an_operator_creates_a_user_whose_address_is_verified():
    user = services.create_user(email=" Ada@Example.COM ", password="a long pass phrase", name=" Ada  L ")
    assert user.email == "ada@example.com"
    assert user.name == "Ada L"
    assert user.check_password("a long pass phrase")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("ada@example.com", True, True)


def test_a_user_without_a_password_cannot_sign_in_until_they_choose_one():
    user = services.create_user(email="ada@example.com", verified=False)
    assert not user.has_usable_password()
    assert not EmailAddress.objects.get(user=user).verified


def test_an_address_belongs_to_one_user_only():
    factories.make_user("ada@example.com")
    other = factories.make_user("bob@example.com")
    EmailAddress.objects.create(user=other, email="second@example.com", verified=True)
    for email in ("ADA@example.com", "second@example.com"):
        with pytest.raises(EmailTaken):
            services.create_user(email=email)
    assert User.objects.count() == 2


@pytest.mark.parametrize("email", ["", "not-an-address", "a@", "x" * 300 + "@example.com"])
def test_a_malformed_address_is_refused(email):
    with pytest.raises(InvalidEmailAddress):
        services.create_user(email=email)
    assert not User.objects.exists()


def test_the_profile_keeps_a_name_and_a_known_language(owner):
    services.update_profile(user=owner, name="  Olivia   O. ", language="fr")
    owner.refresh_from_db()
    assert (owner.name, owner.language) == ("Olivia O.", "fr")
    services.update_profile(user=owner, name="Olivia", language="")
    owner.refresh_from_db()
    assert owner.language == ""


@pytest.mark.parametrize(("name", "language"), [("x" * 151, "en"), ("Olivia", "xx")])
def test_a_bad_profile_is_refused(owner, name, language):
    with pytest.raises(InvalidProfile):
        services.update_profile(user=owner, name=name, language=language)
    owner.refresh_from_db()
    assert (owner.name, owner.language) == ("Olivia Owner", "")


def test_a_token_is_stored_as_a_hash_and_authenticates_its_owner(owner):
    token, secret = services.create_api_token(user=owner, name="CI")
    assert secret.startswith("hov_")
    assert len(secret) > 40
    assert token.prefix == secret[:10]
    assert secret not in {token.token_hash, token.prefix}
    assert token.token_hash == hash_secret(secret)
    assert services.authenticate_api_token(secret=secret) == owner
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_unnamed_token_gets_a_default_name_and_a_long_name_is_refused(owner):
    token, _secret = services.create_api_token(user=owner, name="  ")
    assert token.name == "API token"
    with pytest.raises(InvalidTokenName):
        services.create_api_token(user=owner, name="x" * 101)
    assert ApiToken.objects.count() == 1


def test_last_use_is_recorded_at_most_once_a_minute(owner):
    token, secret = services.create_api_token(user=owner, name="CI")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.authenticate_api_token(secret=secret)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        services.authenticate_api_token(secret=secret)
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        services.authenticate_api_token(secret=secret)
        token.refresh_from_db()
        assert token.last_used_at == start + timedelta(seconds=90)


def test_unknown_revoked_and_inactive_users_tokens_do_not_authenticate(owner):
    token, secret = services.create_api_token(user=owner, name="CI")
    assert services.authenticate_api_token(secret="hov_unknown") is None
    assert services.authenticate_api_token(secret="") is None
    services.revoke_api_token(user=owner, token_id=token.id)
    assert services.authenticate_api_token(secret=secret) is None

    _token, live = services.create_api_token(user=owner, name="other")
    owner.is_active = False
    owner.save()
    assert services.authenticate_api_token(secret=live) is None


def test_only_the_owner_revokes_a_token_and_only_once(owner):
    token, _secret = services.create_api_token(user=owner, name="CI")
    other = factories.make_user()
    for user, token_id in ((other, token.id), (owner, "not-a-uuid"), (owner, None)):
        with pytest.raises(NotFound):
            services.revoke_api_token(user=user, token_id=token_id)
    token.refresh_from_db()
    assert token.revoked_at is None
    services.revoke_api_token(user=owner, token_id=str(token.id))
    with pytest.raises(NotFound):
        services.revoke_api_token(user=owner, token_id=token.id)
