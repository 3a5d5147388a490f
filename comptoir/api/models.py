"""API tokens: a user's key to the REST API, scoped to the user's domain.

Only the sha256 of a token is stored; the token itself is shown once, when it is created.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from comptoir.tenancy.models import Domain


class ApiToken(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=200, blank=True)
    # The token's first characters ("cpt_" and a few more), to tell tokens apart in lists.
    key_prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["domain", "key_prefix"])]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.name or self.user_id})"
