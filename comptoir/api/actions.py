"""State changes of API tokens: create, revoke, and the use that stamps `last_used_at`."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from comptoir.api.models import ApiToken
from comptoir.tenancy.models import User

TOKEN_PREFIX = "cpt_"
# "cpt_" and 8 random characters: enough to tell a domain's tokens apart when listing them.
SHOWN_CHARS = 12
# Stamping every request would make each API call a write; once a minute says enough.
STAMP_EVERY = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user, in the user's domain: (the row, the token, shown only now)."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        domain_id=user.domain_id,
        user=user,
        name=name,
        key_prefix=key[:SHOWN_CHARS],
        key_hash=hash_key(key),
    )
    return token, key


def revoke_token(token: ApiToken) -> ApiToken:
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


def use_token(key: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token with this key (its user and domain loaded), stamped as used; or None."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "domain")
        .filter(key_hash=hash_key(key), revoked=False)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - STAMP_EVERY)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token
