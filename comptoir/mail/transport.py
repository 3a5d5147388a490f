"""Where the outbox hands messages over: an SMTP server (COMPTOIR_SMTP_URL), or a Maildir.

    smtp://user:password@host:587?starttls=1    submission with STARTTLS (the usual case)
    smtps://user:password@host:465              TLS from the first byte
    smtp://127.0.0.1:25                         a local MTA, no authentication
    maildir:///var/lib/comptoir/sent            development: each message becomes a file

Query parameters: starttls=1, timeout=SECONDS (default 30), verify=0 (accept a self-signed
certificate: test servers only), helo=NAME. User and password are percent-decoded.

A failure says whether it is permanent (a 5xx answer: the message will never be accepted
as it is) or transient (4xx, refused or dropped connection, timeout: try again later), and
whether it concerns the connection (every other message would fail the same way) or only
this message.

International addresses: a domain goes out in IDNA form (xn--…), which any server takes; a
mailbox name beyond ASCII needs the server's SMTPUTF8, and without it the message fails.
"""

import contextlib
import mailbox
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from comptoir.mail.compose import ascii_domain
from comptoir.tickets.delivery_problems import Problem, problem


@dataclass
class SmtpConfig:
    scheme: str  # smtp | smtps | maildir
    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    verify: bool = True
    timeout: float = 30.0
    helo: str = ""
    path: str = ""  # maildir only

    def describe(self) -> str:
        """The URL without its password, for logs."""
        if self.scheme == "maildir":
            return f"maildir://{self.path}"
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "maildir":
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise ImproperlyConfigured("COMPTOIR_SMTP_URL: maildir:// needs a path")
        return SmtpConfig(scheme="maildir", path=path)
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            "COMPTOIR_SMTP_URL must look like smtp://user:pass@host:587?starttls=1, "
            f"smtps://host:465 or maildir:///path (got scheme {scheme or 'none'!r})"
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        port = parts.port or (465 if scheme == "smtps" else 25)
        timeout = float(query.get("timeout", "30"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"COMPTOIR_SMTP_URL: {exc}") from exc
    return SmtpConfig(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        starttls=query.get("starttls", "0").lower() in ("1", "true", "yes"),
        verify=query.get("verify", "1").lower() not in ("0", "false", "no"),
        timeout=timeout,
        helo=query.get("helo", ""),
    )


class SendFailure(Exception):
    """`text`: the technical English (logs, Message.delivery_error); `problem`: the same as a
    kind and its parameters, said in the reader's language (tickets.delivery_problems)."""

    def __init__(
        self,
        text: str,
        *,
        permanent: bool,
        connection: bool = False,
        problem: Problem | None = None,
    ) -> None:
        super().__init__(text)
        self.text = text
        self.permanent = permanent
        self.connection = connection
        self.problem = problem or {"kind": "error", "error": text}


class Transport(Protocol):
    def send(self, sender: str, recipients: list[str], raw: bytes) -> dict[str, str]:
        """Hand one message over; the recipients refused (others were accepted)."""
        ...

    def close(self) -> None: ...


def connection_failure(config: SmtpConfig, exc: Exception) -> SendFailure:
    """The server not reached, or the connection lost: every other message would fail too."""
    error = str(exc) or type(exc).__name__
    said = problem("connection", server=config.describe(), error=error)
    return SendFailure(
        f"{config.describe()}: {error}", permanent=False, connection=True, problem=said
    )


def answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class SmtpTransport:
    """One SMTP connection, opened on first use and kept for the following messages."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.client: smtplib.SMTP | None = None

    def connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            return self.open_session()
        except smtplib.SMTPResponseException as exc:
            # Refused at greeting, STARTTLS or login: the server's, not the message's, fault.
            said = answer(exc.smtp_code, exc.smtp_error)
            raise SendFailure(
                f"{config.describe()}: {said}",
                permanent=False,
                connection=True,
                problem=problem("session-refused", server=config.describe(), answer=said),
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise connection_failure(config, exc) from exc

    def open_session(self) -> smtplib.SMTP:
        """Connect, greet, STARTTLS, log in: a session ready for MAIL FROM."""
        config = self.config
        context = ssl.create_default_context()
        if not config.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        helo = config.helo or None
        if config.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, helo, timeout=config.timeout, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, helo, timeout=config.timeout)
        try:
            client.ehlo_or_helo_if_needed()
            if config.starttls:
                client.starttls(context=context)
                client.ehlo()
            if config.username:
                client.login(config.username, config.password)
        except BaseException:
            client.close()  # a refused login is retried every round: leave no socket open
            raise
        return client

    def send(self, sender: str, recipients: list[str], raw: bytes) -> dict[str, str]:
        if self.client is None:
            self.client = self.connect()
        # An international domain in IDNA form: smtplib would raise UnicodeEncodeError.
        sender, recipients = ascii_domain(sender), [ascii_domain(r) for r in recipients]
        # A mailbox name beyond ASCII needs the server's SMTPUTF8 (RFC 6531).
        utf8 = not all(a.isascii() for a in [sender, *recipients])
        try:
            refused = self.client.sendmail(
                sender, recipients, raw, mail_options=["SMTPUTF8"] if utf8 else []
            )
        except smtplib.SMTPRecipientsRefused as exc:
            raise self.recipients_refused(exc) from exc
        except (smtplib.SMTPNotSupportedError, UnicodeEncodeError) as exc:
            raise self.no_smtputf8([sender, *recipients]) from exc
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused…
            code = exc.smtp_code
            if code == 421:  # the server is closing the connection (RFC 5321 §3.8)
                self.drop()
            text = answer(code, exc.smtp_error)
            raise SendFailure(
                text,
                permanent=500 <= code < 600,
                connection=code == 421,
                problem=problem("answer", answer=text),
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:  # dropped connection, timeout
            self.drop()
            raise connection_failure(self.config, exc) from exc
        return {r: answer(code, text) for r, (code, text) in refused.items()}

    def recipients_refused(self, exc: smtplib.SMTPRecipientsRefused) -> SendFailure:
        """Every recipient refused at RCPT: permanent when all answers were 5xx."""
        codes = [code for code, _text in exc.recipients.values()]
        answers = {r: answer(c, t) for r, (c, t) in exc.recipients.items()}
        text = "; ".join(f"{r}: {why}" for r, why in answers.items())
        said = problem("recipients-refused", refused=answers)
        if 421 in codes:  # smtplib has closed the connection: the others must wait too
            self.drop()
            return SendFailure(text, permanent=False, connection=True, problem=said)
        return SendFailure(text, permanent=all(500 <= c < 600 for c in codes), problem=said)

    def no_smtputf8(self, addresses: list[str]) -> SendFailure:
        """No SMTPUTF8 (or no ESMTP at all) for a non-ASCII mailbox: this message can never
        go through this server. The session may be mid-transaction: start afresh."""
        self.drop()
        wide = ", ".join(a for a in addresses if not a.isascii())
        text = f"{self.config.describe()} does not offer SMTPUTF8, needed for {wide}"
        said = problem("no-smtputf8", server=self.config.describe(), addresses=wide)
        return SendFailure(text, permanent=True, problem=said)

    def drop(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None

    def close(self) -> None:
        if self.client is None:
            return
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.client.quit()
        self.drop()


class MaildirTransport:
    """Development and demos: every message becomes a file in a Maildir, nothing leaves."""

    def __init__(self, config: SmtpConfig) -> None:
        # Maildir creates cur/new/tmp only when the folder itself does not exist yet.
        Path(config.path).parent.mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(config.path, create=True)

    def send(self, sender: str, recipients: list[str], raw: bytes) -> dict[str, str]:
        envelope = f"X-Comptoir-Envelope: from <{sender}> to {', '.join(recipients)}\r\n"
        try:
            self.maildir.add(envelope.encode() + raw)
        except OSError as exc:  # a full disk or a bad path: try again later
            said = problem("maildir", error=str(exc))
            raise SendFailure(
                f"maildir: {exc}", permanent=False, connection=True, problem=said
            ) from exc
        return {}

    def close(self) -> None:
        pass


def open_transport(config: SmtpConfig) -> Transport:
    if config.scheme == "maildir":
        return MaildirTransport(config)
    return SmtpTransport(config)
