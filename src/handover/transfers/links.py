"""Transfer link secrets.

A secret is derived from a per-link random nonce (128 bits) and the server's SECRET_KEY with an HMAC,
as Django derives password-reset tokens: the database stores the nonce and the secret's SHA-256 but
never the secret, so neither a database dump nor the queued email task holds a usable link.
"""

import base64
import hmac
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from handover.hashing import hash_secret

SALT = "handover.transfers.link"


def new_nonce() -> str:
    return secrets.token_hex(16)


def link_secret(transfer_id: object, nonce: str) -> str:
    digest = salted_hmac(SALT, f"{transfer_id}:{nonce}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def matches(secret: str, expected_hash: str | None) -> bool:
    return expected_hash is not None and hmac.compare_digest(hash_secret(secret), expected_hash)


def link_url(secret: str) -> str:
    """The full link a recipient opens: {BASE_URL}/transfers/receive/{secret}."""
    return settings.BASE_URL + reverse("transfers:receive_link", args=[secret])
