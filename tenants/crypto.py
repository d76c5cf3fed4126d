"""Symmetric encryption of secrets at rest, with keys derived from SECRET_KEY per purpose.

A database dump alone then reveals no secret; rotating SECRET_KEY makes the stored ones unreadable
(staff set up TOTP again, clients rotate webhook secrets).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def fernet_for(purpose: str) -> Fernet:
    """A Fernet keyed for one purpose: a key leaking for one purpose opens no other."""
    digest = hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
