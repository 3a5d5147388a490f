"""Small text helpers that keep odd input storable everywhere (PostgreSQL refuses NUL)."""

import hashlib


def clean(value: str | None, limit: int | None = None) -> str:
    """Drop NUL characters and cut to `limit` characters: what a database column can hold."""
    if not value:
        return ""
    value = value.replace("\x00", "")
    return value[:limit] if limit is not None else value


def message_id_key(message_id: str) -> str:
    """The idempotency and threading key of a Message-ID.

    Angle brackets and surrounding space are dropped and the part after "@" is lower-cased
    (domains are case-insensitive; some gateways change their case).
    """
    value = message_id.strip().strip("<>").strip()
    local, at, host = value.rpartition("@")
    normalised = f"{local}@{host.lower()}" if at else value
    return hashlib.sha256(b"id:" + normalised.encode("utf-8", "surrogateescape")).hexdigest()


def raw_key(raw: bytes) -> str:
    """The idempotency key of a message without Message-ID: the hash of its bytes."""
    return hashlib.sha256(b"raw:" + raw).hexdigest()
