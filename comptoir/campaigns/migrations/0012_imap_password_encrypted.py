"""IMAP passwords leave the database's clear text (issue 10, finding 1).

Each stored password is encrypted with the first key of COMPTOIR_SECRET_KEYS (or the key
derived from COMPTOIR_SECRET_KEY): set the keys BEFORE migrating. A tenant-chosen environment
variable name that is not COMPTOIR_IMAP_SECRET_… is cleared, and its mailbox paused with the
reason in last_error; the editor then asks for the password (docs/security.md).
"""

import re

from django.db import migrations, models

from comptoir.lib import sealed

ALLOWED_ENV = re.compile(r"COMPTOIR_IMAP_SECRET_[A-Z0-9_]+")
PAUSED = (
    "Paused by the security update: the password came from the server environment variable "
    "{name}, which a domain may no longer name. Enter the password in the campaign editor, "
    "or have the operator bind a COMPTOIR_IMAP_SECRET_ variable (comptoir mailbox-secret)."
)


def encrypt_passwords(apps, schema_editor):
    ImapMailbox = apps.get_model("campaigns", "ImapMailbox")
    for mailbox in ImapMailbox.objects.all().iterator():
        if mailbox.password:
            mailbox.password_encrypted = sealed.seal(mailbox.password)
        if mailbox.password_env and not ALLOWED_ENV.fullmatch(mailbox.password_env):
            mailbox.last_error = PAUSED.format(name=mailbox.password_env)
            mailbox.password_env = ""
            mailbox.enabled = False
        mailbox.password = ""
        mailbox.save(update_fields=["password", "password_encrypted", "password_env", "enabled", "last_error"])


def decrypt_passwords(apps, schema_editor):
    ImapMailbox = apps.get_model("campaigns", "ImapMailbox")
    for mailbox in ImapMailbox.objects.exclude(password_encrypted="").iterator():
        mailbox.password = sealed.unseal(mailbox.password_encrypted)
        mailbox.save(update_fields=["password"])


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0011_qualification_scripts_finish'),
    ]

    operations = [
        migrations.AddField(
            model_name='imapmailbox',
            name='password_encrypted',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(encrypt_passwords, decrypt_passwords),
        migrations.RemoveField(
            model_name='imapmailbox',
            name='password',
        ),
    ]
