"""Helpers for the import tests: small archives built in tmp_path, the worker's import job."""

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from comptoir.campaigns.models import Campaign
from comptoir.imports.actions import create_import
from comptoir.imports.models import ImportJob
from comptoir.ops.management.commands.worker import JOBS


@pytest.fixture(autouse=True)
def stored_files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "files"


def mail(number: int, *, reply_to: int | None = None, sender: str = "camille@exemple.fr") -> bytes:
    message = EmailMessage()
    message["From"] = f"Camille <{sender}>"
    message["To"] = "support@acme.test"
    message["Subject"] = f"Demande {number}" if reply_to is None else f"Re: Demande {reply_to}"
    message["Message-ID"] = f"<m{number}@exemple.fr>"
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0100"
    if reply_to is not None:
        message["In-Reply-To"] = f"<m{reply_to}@exemple.fr>"
    message.set_content(f"Bonjour, message {number}.\nFrom Paris, with love.\n")
    return message.as_bytes()


def mbox(messages: list[bytes]) -> bytes:
    out = io.BytesIO()
    for raw in messages:
        out.write(b"From someone@example Mon Nov 16 09:00:00 2026\n")
        body = b"\n".join(
            b">" + line if line.startswith(b"From ") else line for line in raw.split(b"\n")
        )
        out.write(body.rstrip(b"\n") + b"\n\n")
    return out.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def queue(
    campaign: Campaign, kind: str, name: str, content: bytes, *, language: str = "en"
) -> ImportJob:
    """An import queued as the upload form does (its error report in `language`)."""
    return create_import(
        campaign=campaign,
        user=None,
        kind=kind,
        filename=name,
        content=ContentFile(content),
        language=language,
    )


def run_worker_job(worker: str = "worker-1") -> None:
    """The `imports` job of `comptoir worker`, once, as the worker runs it."""
    job = dict(JOBS)["imports"]
    job(worker, True)


def refreshed(job: ImportJob) -> ImportJob:
    job.refresh_from_db()
    return job
