"""django-allauth adapters: no self-signup (owners and account managers create logins); TOTP
secrets encrypted at rest."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.http import HttpRequest

from tenants.crypto import fernet_for


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are stored encrypted (Fernet), with a key derived from SECRET_KEY.

    A database dump alone therefore does not let anyone generate staff login codes.
    Rotating SECRET_KEY means staff set up TOTP again.
    """

    def _fernet(self) -> Fernet:
        return fernet_for("mfa-secrets")

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return self._fernet().decrypt(encrypted_text.encode()).decode()
