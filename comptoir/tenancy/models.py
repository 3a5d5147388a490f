"""Domains (tenants), their users and teams."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Domain(models.Model):
    """One customer company using Comptoir; everything else is scoped to it."""

    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=8, default="fr")
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.slug


class DomainHostname(models.Model):
    """A web address of a domain, besides <slug>.localhost in development."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="hostnames")
    hostname = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.hostname


class MailDomain(models.Model):
    """A mail domain (the part of an address after "@") given to one Comptoir domain by an
    operator (`comptoir mail-domain add`). Only that domain may receive mail on it and send
    from it (campaigns.addresses); no other domain may register any of its addresses."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="mail_domains")
    # Lower-case, IDNA (punycode) form, without a trailing dot (tenancy.mail_domains).
    name = models.CharField(max_length=253, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


# The rights each role starts with; an administrator may change them per user.
ROLE_RIGHTS: dict[str, set[str]] = {
    Role.ADMIN: {
        "can_manage_users",
        "can_manage_campaigns",
        "can_supervise",
        "can_process",
        "can_export",
        "can_use_api",
    },
    Role.SUPERVISOR: {"can_supervise", "can_process", "can_export", "can_use_api"},
    Role.AGENT: {"can_process"},
}


class UserManager(BaseUserManager["User"]):
    def create_user(
        self, *, domain: Domain, login: str, password: str | None = None, **fields: object
    ) -> "User":
        user = self.model(domain=domain, login=login, **fields)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, login: str, password: str | None = None, **fields: object) -> "User":
        """Operators (Django admin) belong to the `operators` domain."""
        domain, _created = Domain.objects.get_or_create(
            slug="operators", defaults={"name": "Operators"}
        )
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(domain=domain, login=login, password=password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in to one domain; the login is unique within that domain."""

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="users")
    login = models.CharField(max_length=150)
    display_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    can_manage_users = models.BooleanField(default=False)
    can_manage_campaigns = models.BooleanField(default=False)
    can_supervise = models.BooleanField(default=False)
    can_process = models.BooleanField(default=True)
    can_export = models.BooleanField(default=False)
    can_use_api = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "login"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "login"], name="user_login_unique_per_domain")
        ]

    def __str__(self) -> str:
        return self.display_name or self.login

    def apply_role_rights(self) -> None:
        for right in ROLE_RIGHTS[Role.ADMIN]:
            setattr(self, right, right in ROLE_RIGHTS[self.role])


class Team(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "name"], name="team_name_unique_per_domain")
        ]

    def __str__(self) -> str:
        return self.name


class LoginFailure(models.Model):
    """One failed login for (domain, login) from a client address: counted to slow password
    guessing down (tenancy.throttle), kept a day to show administrators."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="login_failures")
    login = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["domain", "login", "at"]),
            models.Index(fields=["address", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.login} {self.address} {self.at:%Y-%m-%d %H:%M}"


class KnownLoginAddress(models.Model):
    """A client address a login last succeeded from: from there, only that (login, address)
    pair's own failures slow it down, so outsiders cannot delay a user at their usual place."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="known_addresses")
    login = models.CharField(max_length=150)
    address = models.GenericIPAddressField()
    last_success_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "login", "address"], name="known_login_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.login} {self.address}"


class PasswordResetEmail(models.Model):
    """One password reset email sent to (domain, login) on request: counted to limit them."""

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="password_reset_emails"
    )
    login = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["domain", "login", "at"])]

    def __str__(self) -> str:
        return f"{self.login} {self.at:%Y-%m-%d %H:%M}"


class AccountEmailKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    PASSWORD_RESET = "password_reset", _("Password reset")
    REPORT = "report", _("Scheduled report")


class AccountEmailState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class AccountEmail(models.Model):
    """An email to one of the domain's users (an invitation, a password reset), queued in the
    transaction that asked for it and sent by the worker (mail.account_mail) with retries.

    The body holds a link that sets the user's password: it is blanked once the message is
    sent or given up, so that the database keeps no usable link."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="account_emails")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_emails")
    kind = models.CharField(max_length=20, choices=AccountEmailKind.choices)
    to_email = models.EmailField(max_length=254)
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # A scheduled report also has an HTML part and its tables as one CSV file.
    html_body = models.TextField(blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment = models.TextField(blank=True)
    message_id = models.CharField(max_length=250)
    state = models.CharField(
        max_length=10, choices=AccountEmailState.choices, default=AccountEmailState.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a queued message is next due, and the worker holding it (like the outbox's).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["domain", "user", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.state})"
