"""Secrets stored in the database, encrypted (Fernet: AES-128-CBC + HMAC-SHA256, from the
`cryptography` library) with keys that live only in the environment.

COMPTOIR_SECRET_KEYS lists Fernet keys: the first encrypts, every one decrypts, so a key is
rotated by putting the new one first, re-encrypting (`comptoir rotate-secrets`), then dropping
the old one. Without it, one key is derived from SECRET_KEY (HKDF-SHA256), so that a default
install encrypts too; changing SECRET_KEY then makes stored secrets unreadable
(docs/operations.md says how to move from one to the other).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """No configured key decrypts this token (keys rotated away, or the data is damaged)."""


class KeyConfigError(Exception):
    """COMPTOIR_SECRET_KEYS holds something that is not a Fernet key."""


def derived_key(secret_key: str) -> str:
    """The Fernet key used when COMPTOIR_SECRET_KEYS is empty."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"comptoir stored secrets v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode())).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()


def keys() -> MultiFernet:
    listed = list(settings.COMPTOIR_SECRET_KEYS) or [derived_key(settings.SECRET_KEY)]
    try:
        return MultiFernet([Fernet(key.encode()) for key in listed])
    except ValueError:
        # Never the key itself in the message: it ends up in logs.
        raise KeyConfigError(
            "COMPTOIR_SECRET_KEYS holds a value that is not a Fernet key"
        ) from None


def seal(plain: str) -> str:
    return keys().encrypt(plain.encode()).decode()


def unseal(token: str) -> str:
    try:
        return keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no key of COMPTOIR_SECRET_KEYS decrypts this secret") from None


def reseal(token: str) -> str:
    """The same secret encrypted with the first key (MultiFernet.rotate)."""
    try:
        return keys().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no key of COMPTOIR_SECRET_KEYS decrypts this secret") from None
