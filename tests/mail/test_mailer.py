"""Mail to Comptoir's own users goes through Comptoir's transport (COMPTOIR_SMTP_URL)."""

import mailbox
from pathlib import Path

import pytest
from django.core.mail import EmailMessage

from comptoir.mail.mailer import EmailBackend


def test_mail_is_handed_to_the_configured_transport(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_SMTP_URL = f"maildir://{tmp_path / 'sent'}"
    message = EmailMessage("Invitation", "Bonjour", "comptoir@acme.test", ["zoe@acme.test"])
    assert EmailBackend().send_messages([message]) == 1
    (stored,) = list(mailbox.Maildir(tmp_path / "sent"))
    assert stored["Subject"] == "Invitation" and stored["To"] == "zoe@acme.test"


def test_without_a_transport_mail_is_printed_on_the_console(
    settings,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.COMPTOIR_SMTP_URL = ""
    message = EmailMessage("Invitation", "Bonjour", "comptoir@acme.test", ["zoe@acme.test"])
    assert EmailBackend().send_messages([message]) == 1
    assert "Subject: Invitation" in capsys.readouterr().out
