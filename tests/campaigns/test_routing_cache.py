"""Routing is answered from memory for ROUTING_TTL seconds (campaigns.addresses.route): the
listener asks it at RCPT for every recipient. Changes made by another process (the web
process) are written here in plain SQL, which sends no signal, as another process's would."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.campaigns import addresses
from comptoir.campaigns.addresses import ROUTING_TTL, route, routed_address
from comptoir.campaigns.models import InboundAddress
from comptoir.tenancy.models import MailDomain
from tests.conftest import Acme, make_acme


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(addresses, "clock", fake)
    return fake


def elsewhere(sql: str, params: list[object]) -> None:
    """A change made by another process: straight to the table, no signal in this one."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def queries(address: str) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        campaign = route(address)
    return campaign, len(captured)


def test_routed_address_is_one_query(acme: Acme) -> None:
    with CaptureQueriesContext(connection) as captured:
        row = routed_address("Support+VIP@Acme.test")
    assert row is not None and row.campaign == acme.support
    assert len(captured) == 1


def test_a_route_found_is_answered_from_memory_as_a_copy(acme: Acme, clock: Clock) -> None:
    first, asked = queries("support@acme.test")
    again, asked_again = queries("SUPPORT@acme.test")
    assert (first, again, asked, asked_again) == (acme.support, acme.support, 1, 0)
    assert first is not again  # listener threads never share one instance
    assert again is not None and again.domain == acme.domain  # no query: loaded with it
    clock.now += ROUTING_TTL + 0.1
    assert queries("support@acme.test") == (acme.support, 1)


def test_an_address_removed_elsewhere_stops_routing_after_the_ttl(acme: Acme, clock: Clock) -> None:
    assert route("support+x@acme.test") == acme.support
    table = InboundAddress._meta.db_table
    elsewhere(f"DELETE FROM {table} WHERE address = %s", ["support@acme.test"])
    clock.now += ROUTING_TTL - 0.5
    assert route("support+x@acme.test") == acme.support  # the documented delay
    clock.now += 0.6
    assert route("support+x@acme.test") is None
    assert route("support@acme.test") is None


def test_a_mail_domain_given_to_another_tenant_never_routes_to_the_old_one_after_the_ttl(
    acme: Acme, clock: Clock
) -> None:
    globex = make_acme("globex")
    InboundAddress.objects.create(
        domain=globex.domain, campaign=globex.orders, address="ventes@acme.test"
    )
    assert route("support+vip@acme.test") == acme.support
    assert route("ventes@acme.test") is None  # acme owns acme.test: globex's row never routes
    elsewhere(
        f"UPDATE {MailDomain._meta.db_table} SET domain_id = %s WHERE name = %s",
        [globex.domain.pk, "acme.test"],
    )
    clock.now += ROUTING_TTL + 0.1
    assert route("support+vip@acme.test") is None
    assert route("support@acme.test") is None
    assert route("ventes@acme.test") == globex.orders


def test_unknown_addresses_are_not_remembered(acme: Acme, clock: Clock) -> None:
    assert route("nouveau@acme.test") is None
    elsewhere(
        f"INSERT INTO {InboundAddress._meta.db_table} (domain_id, campaign_id, address) "
        "VALUES (%s, %s, %s)",
        [acme.domain.pk, acme.orders.pk, "nouveau@acme.test"],
    )
    # No time passes: an address created a moment ago is not refused (550 is permanent).
    assert route("nouveau@acme.test") == acme.orders


def test_a_change_made_in_this_process_is_seen_at_once(acme: Acme, clock: Clock) -> None:
    assert route("support@acme.test") == acme.support
    InboundAddress.objects.filter(address="support@acme.test").delete()
    assert route("support@acme.test") is None
    assert route("orders@acme.test") == acme.orders
    MailDomain.objects.filter(name="acme.test").delete()
    MailDomain.objects.create(domain=make_acme("globex").domain, name="acme.test")
    assert route("orders@acme.test") is None


def test_domain_narrowing_is_part_of_the_answer(acme: Acme, clock: Clock) -> None:
    globex = make_acme("globex")
    assert route("support@acme.test", globex.domain.pk) is None
    assert route("support@acme.test", acme.domain.pk) == acme.support
    assert route("support@acme.test", globex.domain.pk) is None


def test_the_cache_stays_bounded(acme: Acme, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addresses, "ROUTING_CACHE_SIZE", 10)
    for i in range(25):
        assert route(f"support+{i}@acme.test") == acme.support
        assert len(addresses._routes) <= 10
