"""Model fields that encrypt personal data at rest.

Values are Fernet tokens (AES-128-CBC + HMAC-SHA256) made with the first key of
FIELD_ENCRYPTION_KEYS; every listed key can decrypt, so keys rotate by prepending a new one
and running `manage.py personal_data_rotate_keys`, which re-encrypts every value.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Encrypted value cannot be decrypted with the configured keys") from exc


def rotate_token(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token; empty strings stay empty (nothing to hide)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return self.decode(decrypt_text(value))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value in (None, ""):
            return value
        return encrypt_text(self.encode(value))

    def encode(self, value) -> str:
        return str(value)

    def decode(self, raw: str):
        return raw


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted as an ISO string."""

    def encode(self, value) -> str:
        if isinstance(value, datetime.date):
            return value.isoformat()
        return datetime.date.fromisoformat(str(value)).isoformat()

    def decode(self, raw: str):
        return datetime.date.fromisoformat(raw)

    def to_python(self, value):
        if value in (None, "") or isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(str(value))
