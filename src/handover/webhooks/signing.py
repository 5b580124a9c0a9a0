"""The signature of a delivery: `Handover-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The HMAC is over "<t>.<raw body>" with the endpoint's secret, so a receiver that checks it and
refuses an old `t` knows the body came from Handover and is not a replay. During a rotation's
grace period the header carries one `v1=` per live secret (the new one first).
"""

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    """256 random bits, with a prefix that tells what it is when found in a config file or a log."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets_: list[str], timestamp: int, body: bytes) -> str:
    """`t=<timestamp>,v1=<sig>[,v1=<sig>…]`, one signature per secret, in the order given."""
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in secrets_)])
