"""Where the outbox hands messages over: COMPTOIR_SMTP_URL, and real servers behind it.

The TLS tests run aiosmtpd with a self-signed certificate made by the `openssl` command
(scripts/ci-deps installs it): STARTTLS then AUTH, as on a submission port, and TLS from the
first byte (smtps).
"""

import gc
import shutil
import ssl
import subprocess
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings

from comptoir.mail.outbox import send_due
from comptoir.mail.transport import SendFailure, SmtpTransport, parse_smtp_url
from comptoir.tickets.models import DeliveryState
from tests.conftest import Acme
from tests.mail.outbox_helpers import (
    CUSTOMER,
    MeetingHandler,
    fresh,
    open_ticket,
    queue_reply,
    received_ids,
    running,
)
from tests.smtp_sink import CaptureHandler, SmtpSink, free_port
from tests.system_packages import require

WORKER = "test-host:1"
LOGIN, PASSWORD = "agent@acme.test", "s3cret:/@%"
# The same credentials, percent-encoded as they must be in a URL.
CREDENTIALS = "agent%40acme.test:s3cret%3A%2F%40%25"


# --- COMPTOIR_SMTP_URL ------------------------------------------------------------------


def test_plain_smtp_url_uses_port_25_without_tls_or_login() -> None:
    config = parse_smtp_url("smtp://Mail.Example.com")
    assert (config.scheme, config.host, config.port) == ("smtp", "mail.example.com", 25)
    assert (config.starttls, config.verify, config.timeout) == (False, True, 30.0)
    assert (config.username, config.password, config.helo) == ("", "", "")


def test_smtps_url_defaults_to_port_465() -> None:
    config = parse_smtp_url("smtps://mail.example.com")
    assert (config.scheme, config.port) == ("smtps", 465)


def test_submission_url_carries_starttls_credentials_and_options() -> None:
    url = (
        f"smtp://{CREDENTIALS}@mail.example.com:587"
        "?starttls=1&timeout=7.5&helo=comptoir.acme.test&verify=0"
    )
    config = parse_smtp_url(url)
    assert (config.host, config.port, config.starttls) == ("mail.example.com", 587, True)
    assert (config.username, config.password) == (LOGIN, PASSWORD)
    assert (config.timeout, config.helo, config.verify) == (7.5, "comptoir.acme.test", False)


def test_description_for_the_logs_never_shows_the_password() -> None:
    config = parse_smtp_url(f"smtp://{CREDENTIALS}@mail.example.com:587?starttls=1")
    assert config.describe() == "smtp://agent@acme.test@mail.example.com:587"
    assert "s3cret" not in config.describe()


def test_maildir_url_names_a_folder() -> None:
    assert parse_smtp_url("maildir:///var/lib/comptoir/sent").path == "/var/lib/comptoir/sent"
    assert parse_smtp_url("maildir://var/sent-mail").path == "var/sent-mail"
    assert parse_smtp_url("maildir:///var/sent%20mail").path == "/var/sent mail"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.com", "got scheme 'http'"),
        ("mail.example.com:25", "got scheme 'mail.example.com'"),
        ("", "got scheme 'none'"),
        ("smtp://", "must look like smtp://user:pass@host:587?starttls=1"),
        ("maildir://", "maildir:// needs a path"),
        ("smtp://mail.example.com:port", "Port could not be cast"),
        ("smtp://mail.example.com?timeout=soon", "could not convert string to float"),
    ],
)
def test_unusable_url_is_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="COMPTOIR_SMTP_URL") as error:
        parse_smtp_url(url)
    assert message in str(error.value)


# --- A real server with STARTTLS and AUTH ---------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (certificate, key)."""
    openssl = shutil.which("openssl")
    require("openssl", openssl is not None, "the openssl command is not installed")
    assert openssl is not None
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    key_type = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    name = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        [openssl, "req", "-x509", "-days", "2", *key_type, *name, *files],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@dataclass
class TlsHandler(CaptureHandler):
    """Also remembers whether each message came over TLS, and after which login."""

    sessions: list[tuple[bool, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else b""
        tls = server.transport is not None and server.transport.get_extra_info("ssl_object")
        self.sessions.append((tls is not None, login))
        return await super().handle_DATA(server, session, envelope)


def authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and auth_data == (
        LOGIN.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd itself answers a refusal (535).
    return AuthResult(success=good, handled=False, auth_data=auth_data)


type StartServer = Callable[..., tuple[int, TlsHandler]]


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[StartServer]:
    """Starts a server that demands TLS and a login; returns (port, handler)."""
    controllers: list[Controller] = []

    def start(*, smtps: bool = False) -> tuple[int, TlsHandler]:
        handler, port, context = TlsHandler(), free_port(), server_context(certificate)
        tls = {"ssl_context": context} if smtps else {"tls_context": context}
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            require_starttls=not smtps,
            # aiosmtpd counts only STARTTLS as TLS: over smtps it would not offer AUTH
            # unless told not to require TLS (and then it warns if AUTH is required).
            auth_required=not smtps,
            auth_require_tls=not smtps,
            authenticator=authenticate,
            **tls,  # type: ignore[arg-type]
        )
        controller.start()
        controllers.append(controller)
        return port, handler

    yield start
    for controller in controllers:
        controller.stop()


def test_reply_goes_through_starttls_and_login(
    acme: Acme, settings: Settings, tls_server: StartServer
) -> None:
    port, handler = tls_server()
    settings.COMPTOIR_SMTP_URL = (
        f"smtp://{CREDENTIALS}@127.0.0.1:{port}?starttls=1&verify=0&timeout=5"
    )
    message = queue_reply(acme)

    assert send_due(WORKER, once=True).sent == 1

    assert [r.recipients for r in handler.received] == [[CUSTOMER]]
    assert handler.sessions == [(True, LOGIN.encode())]
    assert fresh(message).delivery_state == DeliveryState.SENT


def test_reply_goes_through_tls_from_the_first_byte(
    acme: Acme, settings: Settings, tls_server: StartServer
) -> None:
    port, handler = tls_server(smtps=True)
    settings.COMPTOIR_SMTP_URL = f"smtps://{CREDENTIALS}@127.0.0.1:{port}?verify=0&timeout=5"
    queue_reply(acme)
    assert send_due(WORKER, once=True).sent == 1
    assert handler.sessions == [(True, LOGIN.encode())]


def test_wrong_password_is_a_transient_failure_naming_535(
    acme: Acme, settings: Settings, tls_server: StartServer
) -> None:
    port, handler = tls_server()
    settings.COMPTOIR_SMTP_URL = (
        f"smtp://agent%40acme.test:wrong@127.0.0.1:{port}?starttls=1&verify=0&timeout=5"
    )
    message = queue_reply(acme)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert send_due(WORKER, once=True).retried == 1
        gc.collect()

    message = fresh(message)
    assert message.delivery_state == DeliveryState.QUEUED
    assert message.delivery_attempts == 1
    assert "535" in message.delivery_error
    assert f"127.0.0.1:{port}" in message.delivery_error
    assert "wrong" not in message.delivery_error
    assert handler.received == []
    # The refused session was closed, not left for the garbage collector.
    leaks = [w for w in caught if f"'127.0.0.1', {port})" in str(w.message)]
    assert leaks == []


def test_self_signed_certificate_is_refused_unless_verify_is_off(
    acme: Acme, settings: Settings, tls_server: StartServer
) -> None:
    port, handler = tls_server()
    settings.COMPTOIR_SMTP_URL = f"smtp://{CREDENTIALS}@127.0.0.1:{port}?starttls=1&timeout=5"
    message = queue_reply(acme)
    assert send_due(WORKER, once=True).retried == 1
    message = fresh(message)
    assert message.delivery_state == DeliveryState.QUEUED
    assert "CERTIFICATE_VERIFY_FAILED" in message.delivery_error
    assert handler.received == []


def test_credentials_are_never_offered_without_tls(
    acme: Acme, settings: Settings, tls_server: StartServer
) -> None:
    """Without starttls=1 the server offers no AUTH: the login is not attempted in clear."""
    port, handler = tls_server()
    settings.COMPTOIR_SMTP_URL = f"smtp://{CREDENTIALS}@127.0.0.1:{port}?timeout=5"
    message = queue_reply(acme)
    assert send_due(WORKER, once=True).retried == 1
    assert "AUTH" in fresh(message).delivery_error
    assert handler.received == []


# --- The connection, international addresses -------------------------------------------


def test_one_connection_carries_the_whole_batch(acme: Acme, settings: Settings) -> None:
    sink = SmtpSink()
    sink.handler = handler = MeetingHandler(clients=1)
    settings.COMPTOIR_SMTP_URL = sink.url
    ticket = open_ticket(acme)
    messages = [queue_reply(acme, ticket, text=f"Reply {n}") for n in range(4)]
    with running(sink):
        assert send_due(WORKER, once=True).sent == 4
    assert received_ids(sink) == [m.message_id for m in messages]
    assert len(set(handler.peers.values())) == 1


RAW = b"From: support@acme.test\r\nTo: someone\r\nSubject: hi\r\n\r\nHello\r\n"


def test_non_ascii_mailbox_is_sent_with_smtputf8() -> None:
    with running(SmtpSink()) as sink:
        transport = SmtpTransport(parse_smtp_url(sink.url))
        assert transport.send("support@acme.test", ["josé@exemple.fr"], RAW) == {}
        transport.close()
    assert sink.received[0].recipients == ["josé@exemple.fr"]


def test_server_without_smtputf8_fails_that_message_alone() -> None:
    port = free_port()
    handler = CaptureHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    try:
        transport = SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{port}"))
        with pytest.raises(SendFailure) as failure:
            transport.send("support@acme.test", ["josé@exemple.fr"], RAW)
        assert failure.value.permanent and not failure.value.connection
        assert "does not offer SMTPUTF8, needed for josé@exemple.fr" in failure.value.text
        # The next message is not affected.
        assert transport.send("support@acme.test", ["jose@xn--exmple-cva.fr"], RAW) == {}
        transport.close()
    finally:
        controller.stop()
    assert [r.recipients for r in handler.received] == [["jose@xn--exmple-cva.fr"]]


# --- Maildir ------------------------------------------------------------------------------


def test_maildir_transport_writes_each_reply_as_a_file(
    acme: Acme, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "sent-mail"
    settings.COMPTOIR_SMTP_URL = f"maildir://{folder}"
    message = queue_reply(acme, cc=["boss@client.test"])

    assert send_due(WORKER, once=True).sent == 1

    [written] = list((folder / "new").iterdir())
    content = written.read_bytes()
    envelope = f"X-Comptoir-Envelope: from <support@acme.test> to {CUSTOMER}, boss@client.test"
    assert content.startswith(f"{envelope}\r\n".encode())
    assert f"Message-ID: <{message.message_id}>".encode() in content
    assert fresh(message).delivery_state == DeliveryState.SENT
