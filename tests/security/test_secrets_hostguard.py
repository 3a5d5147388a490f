"""Issue 10, finding 2: "test the connection" was a port scanner. It connected in plaintext to
loopback, showed the first line of whatever answered, and told open, closed, filtered and
unknown names apart. Now one core guard (used by the test and by polling) resolves the name
once, within a deadline, refuses internal ranges unless the operator allows them
(COMPTOIR_IMAP_ALLOWED_NETWORKS), and the editor answers with one generic reason."""

import time

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from comptoir.campaigns.models import ImapSecurity
from comptoir.lib import hostguard
from comptoir.mail.imap import poll_mailbox
from comptoir.mail.imap_check import try_connection
from tests.conftest import Acme
from tests.mail import conftest as mail_fixtures
from tests.mail.imap_helpers import customer_email, make_mailbox
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for

dovecot = mail_fixtures.dovecot
imap_account = mail_fixtures.imap_account

REFUSED = [
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # the cloud metadata service
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",  # documentation
    "::1",
    "::",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "fe80::1",
    "fe80::1%1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a00:1::1",  # 6to4 around 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "93.184.215.14", "2001:4860:4860::8888", "2a00:1450:4007:80a::200e"]


@pytest.fixture(autouse=True)
def no_internal_hosts(settings: Settings) -> None:
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = []


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address: str) -> None:
    assert not hostguard.address_allowed(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert hostguard.address_allowed(address)


def test_the_operator_allows_chosen_networks(settings: Settings) -> None:
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["127.0.0.0/8", "10.1.0.0/16"]
    assert hostguard.address_allowed("127.0.0.1")
    assert hostguard.address_allowed("::ffff:127.0.0.1")
    assert hostguard.address_allowed("10.1.2.3")
    assert not hostguard.address_allowed("10.2.0.1")
    assert not hostguard.address_allowed("169.254.169.254")


def test_a_name_resolving_to_an_internal_address_is_refused() -> None:
    with pytest.raises(hostguard.HostRefused):
        hostguard.resolve("localhost", 993, timeout=3)


def test_a_slow_lookup_is_abandoned_at_the_deadline() -> None:
    def slow_lookup(*args: object) -> list[object]:
        time.sleep(2)
        return []

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        hostguard.resolve("imap.example.com", 993, timeout=0.2, lookup=slow_lookup)
    assert time.monotonic() - started < 1


def post_test(maud: Client, acme: Acme, host: str, port: int, security: str) -> str:
    data = {
        "host": host,
        "port": port,
        "security": security,
        "username": "u",
        "password": "p",
        "folder": "INBOX",
        "move_to": "",
    }
    response = maud.post(url("manage_mailbox_test_new", acme), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.text


def test_every_refusal_gets_the_same_answer_without_a_banner(
    acme: Acme, maud: Client, imap_account: mail_fixtures.ImapAccount, settings: Settings
) -> None:
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = []  # the Dovecot fixture allowed loopback
    server = imap_account.server
    probes = [(host, 993) for host in ("10.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1")]
    probes += [("localhost", server.port), ("127.0.0.1", server.port), ("127.0.0.1", 1)]
    probes += [("imap.nowhere.invalid", 993)]
    if server.tls_port:
        probes.append(("127.0.0.1", server.tls_port))
    answers = set()
    for host, port in probes:
        started = time.monotonic()
        answer = post_test(maud, acme, host, port, ImapSecurity.TLS)
        assert time.monotonic() - started < 5, host
        assert "Dovecot" not in answer and "OK" not in answer and host not in answer
        answers.add(answer)
    assert len(answers) == 1, answers
    assert "Could not connect to this server" in answers.pop()


def test_polling_refuses_an_internal_host_unless_the_operator_allows_it(
    acme: Acme, imap_account: mail_fixtures.ImapAccount, settings: Settings
) -> None:
    imap_account.append("INBOX", customer_email(1))
    mailbox = make_mailbox(acme, imap_account, security=ImapSecurity.NONE)
    # Plaintext allowed to some internal network, but not to this one.
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    report = poll_mailbox(mailbox)
    assert report.outcomes == {} and "not allowed" in report.error
    assert try_connection(mailbox).problem == "unreachable"

    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert try_connection(mailbox).messages == 1
    assert poll_mailbox(mailbox).outcomes == {"created": 1}


def test_plaintext_is_refused_unless_internal_hosts_are_allowed(
    acme: Acme, maud: Client, settings: Settings
) -> None:
    data = {
        "host": "imap.example.com",
        "port": 143,
        "security": ImapSecurity.NONE,
        "username": "u",
        "password": "p",
        "folder": "INBOX",
    }
    response = maud.post(url("manage_mailbox_add", acme), data)
    assert response.status_code == 400 and 'id="id_security_error"' in response.text
    # Allowed internal networks may take plaintext; a public address never does.
    settings.COMPTOIR_IMAP_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    mailbox = make_mailbox(acme, None, host="8.8.8.8", port=143, username="u", password="p")
    assert "not allowed" in poll_mailbox(mailbox).error


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "localhost"])
def test_an_internal_host_typed_in_the_form_is_refused_when_saving(
    acme: Acme, maud: Client, host: str
) -> None:
    data = {"host": host, "port": 993, "security": "tls", "username": "u", "password": "p"}
    response = maud.post(url("manage_mailbox_add", acme), {**data, "folder": "INBOX"})
    assert response.status_code == 400 and 'id="id_host_error"' in response.text


def test_the_generic_answer_is_in_the_readers_language(acme: Acme) -> None:
    from comptoir.tenancy.models import Role, User

    fanny = User.objects.create_user(
        domain=acme.domain,
        login="fanny",
        password="pw",
        role=Role.ADMIN,
        can_manage_campaigns=True,
        language="fr",
    )
    answer = post_test(client_for(fanny), acme, "10.0.0.1", 993, ImapSecurity.TLS)
    assert "Connexion à ce serveur impossible" in answer
