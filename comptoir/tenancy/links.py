"""Links sent by email: a domain's own web address, and the one-time tokens that let a user
set a password (a reset asked for on the login page, or an administrator's invitation)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from comptoir.tenancy.models import Domain, User


def domain_address(domain: Domain) -> str:
    """The domain's web address, never the host a request came in on (a Host header is the
    client's to choose): its first configured hostname (DomainHostname) on
    COMPTOIR_URL_SCHEME, else COMPTOIR_DEV_URL for <slug>.localhost, whose port `comptoir
    serve` sets to the one it listens on (docs/operations.md, "Addresses in mailed links")."""
    hostname = domain.hostnames.order_by("pk").first()
    if hostname is not None:
        return f"{settings.COMPTOIR_URL_SCHEME}://{hostname.hostname}"
    return settings.COMPTOIR_DEV_URL.format(slug=domain.slug).rstrip("/")


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like a reset token (void once the password is set), valid COMPTOIR_INVITATION_DAYS."""

    key_salt = "comptoir.tenancy.links.InvitationTokenGenerator"

    def check_token(self, user: User | None, token: str | None) -> bool:  # type: ignore[override]
        if user is None or not token or "-" not in token:
            return False
        ts_b36 = token.split("-", 1)[0]
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in secrets
        ):
            return False
        age = timedelta(days=settings.COMPTOIR_INVITATION_DAYS).total_seconds()
        return self._num_seconds(self._now()) - ts <= age


reset_tokens = PasswordResetTokenGenerator()
invitation_tokens = InvitationTokenGenerator()


def password_link(user: User, *, invitation: bool) -> str:
    """The absolute link, on the user's domain's address, to set their password."""
    generator = invitation_tokens if invitation else reset_tokens
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    name = "ui:invitation" if invitation else "ui:password_reset_confirm"
    path = reverse(name, args=[uidb64, generator.make_token(user)])
    return domain_address(user.domain) + path
