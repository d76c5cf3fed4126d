"""Standard Webhooks signatures (https://www.standardwebhooks.com) and the secrets behind them.

A secret is `whsec_` + base64 of 32 random bytes; the HMAC key is the decoded bytes. Each attempt
signs `{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 and sends
`webhook-signature: v1,<base64>` — several space-separated while a rotated secret is still valid.

Secrets are stored encrypted with Fernet under a key derived from SECRET_KEY (as tenants.auth does
for TOTP secrets, with its own label): a database dump alone does not let anyone forge our
webhooks. They cannot be hashed like API keys, because we need them to sign. Rotating SECRET_KEY
means every endpoint's secret must be rotated too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet

from tenants.crypto import fernet_for

SECRET_PREFIX = "whsec_"  # noqa: S105  (the public prefix, not a secret)
SECRET_BYTES = 32


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _fernet() -> Fernet:
    return fernet_for("webhook-secrets")


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(encrypted: str) -> str:
    return _fernet().decrypt(encrypted.encode()).decode()


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` entry of the `webhook-signature` header."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_header(*, secrets_in_use: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(
        signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
        for secret in secrets_in_use
    )
