"""The migration that encrypts the IMAP passwords already stored (issue 10, finding 1):
plaintext leaves the table, and a variable a tenant named is cleared, its mailbox paused
with the reason, unless it is one an operator may bind (COMPTOIR_IMAP_SECRET_…)."""

from django.db import connection

from comptoir.lib import sealed
from tests.conftest import Migrate

BEFORE = [("campaigns", "0011_qualification_scripts_finish")]
AFTER = [("campaigns", "0012_imap_password_encrypted")]


def test_stored_passwords_are_encrypted_and_tenant_variables_dropped(
    migrator: Migrate,
) -> None:
    old = migrator(BEFORE)
    Domain = old.get_model("tenancy", "Domain")
    Campaign = old.get_model("campaigns", "Campaign")
    Mailbox = old.get_model("campaigns", "ImapMailbox")
    domain = Domain.objects.create(slug="acme", name="Acme")
    campaign = Campaign.objects.create(domain=domain, slug="support", name="Support")
    common = {"domain": domain, "campaign": campaign, "host": "imap.example.com"}
    typed = Mailbox.objects.create(**common, username="typed", password="Typed-Passw0rd")
    stolen = Mailbox.objects.create(**common, username="stolen", password_env="DATABASE_URL")
    bound = Mailbox.objects.create(
        **common, username="bound", password_env="COMPTOIR_IMAP_SECRET_ACME"
    )

    new = migrator(AFTER)
    Mailbox = new.get_model("campaigns", "ImapMailbox")
    typed, stolen, bound = (Mailbox.objects.get(pk=m.pk) for m in (typed, stolen, bound))
    assert sealed.unseal(typed.password_encrypted) == "Typed-Passw0rd"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Mailbox._meta.db_table}")
        assert "Typed-Passw0rd" not in repr(cursor.fetchall())
    assert (stolen.password_env, stolen.enabled) == ("", False)
    assert "DATABASE_URL" in stolen.last_error and "Paused" in stolen.last_error
    assert (bound.password_env, bound.enabled) == ("COMPTOIR_IMAP_SECRET_ACME", True)
    assert typed.enabled and typed.last_error == ""
