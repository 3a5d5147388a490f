"""`comptoir ingest`: stdin, .eml, mbox and Maildir in; one JSON line per message out."""

import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from comptoir.tickets.models import Message, RawMessage, Ticket
from tests.conftest import EMAILS, Acme, comptoir_bin, make_acme, read_eml, subprocess_env


def run(*args: str, stdin: bytes = b"") -> tuple[int, list[dict]]:
    done = subprocess.run(
        [comptoir_bin(), "ingest", *args],
        input=stdin,
        env=subprocess_env(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    return done.returncode, lines


def write_mbox(path: Path, messages: list[bytes]) -> None:
    with path.open("wb") as handle:
        for raw in messages:
            handle.write(b"From someone@example Mon Nov 16 09:00:00 2026\n")
            body = b"\n".join(
                b">" + line if line.startswith(b"From ") else line for line in raw.split(b"\n")
            )
            handle.write(body.rstrip(b"\n") + b"\n\n")


@pytest.mark.django_db(transaction=True)
def test_stdin_message_is_routed_by_its_headers_and_reported_as_json() -> None:
    make_acme()
    code, lines = run("-", stdin=read_eml("ingest/new-request.eml"))
    assert code == 0
    assert lines == [
        {"source": "-", "outcome": "created", "ticket": 1, "reason": lines[0]["reason"]}
    ]
    assert Ticket.objects.get(number=1).campaign.slug == "support"


@pytest.mark.django_db(transaction=True)
def test_mbox_messages_are_split_unescaped_and_threaded(tmp_path: Path) -> None:
    make_acme()
    body = read_eml("ingest/new-request.eml").replace(b"Camille\n", b"From Paris,\nCamille\n")
    write_mbox(tmp_path / "archive.mbox", [body, read_eml("ingest/reply-in-reply-to.eml")])
    code, lines = run("--domain", "acme", str(tmp_path / "archive.mbox"))
    assert code == 0
    assert [(x["source"].rsplit("#")[1], x["outcome"], x["ticket"]) for x in lines] == [
        ("1", "created", 1),
        ("2", "appended", 1),
    ]
    first = Message.objects.get(message_id="req-1@exemple.fr")
    assert "\nFrom Paris,\n" in first.text
    assert bytes(first.raw.content) == body  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_maildir_and_eml_files_are_read_and_duplicates_reported(tmp_path: Path) -> None:
    make_acme()
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.eml").write_bytes(read_eml("ingest/new-request.eml"))
    (maildir / "cur" / "2.eml:2,S").write_bytes(read_eml("ingest/no-message-id.eml"))
    eml = EMAILS / "ingest" / "new-request.eml"
    code, lines = run("--domain", "acme", str(maildir), str(eml))
    assert code == 0
    assert [x["outcome"] for x in lines] == ["created", "created", "duplicate"]


@pytest.mark.django_db(transaction=True)
def test_campaign_option_puts_every_message_in_that_campaign() -> None:
    make_acme()
    code, lines = run(
        "--domain", "acme", "--campaign", "orders", "-", stdin=read_eml("ingest/new-request.eml")
    )
    assert code == 0
    assert Ticket.objects.get(number=lines[0]["ticket"]).campaign.slug == "orders"


@pytest.mark.django_db(transaction=True)
def test_message_routed_nowhere_is_rejected_with_exit_67_and_kept() -> None:
    make_acme()
    code, lines = run("-", stdin=read_eml("ingest/not-for-us.eml"))
    assert code == 67
    assert lines[0]["outcome"] == "rejected"
    assert "sales@unknown.example" in lines[0]["reason"]
    assert RawMessage.objects.filter(state="rejected").count() == 1


@pytest.mark.django_db(transaction=True)
def test_database_down_exits_75_and_stores_nothing() -> None:
    env = subprocess_env()
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"  # nothing listens on port 1
    done = subprocess.run(
        [comptoir_bin(), "ingest", "--campaign", "support", "-"],
        input=read_eml("ingest/new-request.eml"),
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 75, done.stderr.decode()[-2000:]


def test_unknown_domain_or_campaign_is_a_clear_error(acme: Acme) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no domain with slug 'nope'"):
        call_command("ingest", "-", domain="nope")
    with pytest.raises(CommandError, match="no campaign with slug 'nope'"):
        call_command("ingest", "-", domain="acme", campaign="nope")
