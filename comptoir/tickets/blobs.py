"""Attachment contents in Django's storage, addressed by their sha256 (stored once)."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def store_blob(content: bytes) -> tuple[str, str]:
    """Store `content` unless an identical file is already there; return (sha256, name)."""
    digest = hashlib.sha256(content).hexdigest()
    name = f"attachments/{digest[:2]}/{digest[2:4]}/{digest}"
    if not default_storage.exists(name):
        # Two processes may race here; the loser's copy gets another name, same content.
        name = default_storage.save(name, ContentFile(content))
    return digest, name


def read_blob(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()
