"""Whose is an email address? The one rule (issue 10, findings 5 and 6) behind registering an
inbound address, choosing a campaign's sender and reply-to, queuing outbound mail and routing
inbound mail:

- an address belongs to the Comptoir domain that owns its mail domain (tenancy.MailDomain,
  compared lower-case and IDNA-normalised); an address of a mail domain nobody owns belongs
  to nobody, so nobody may register it or send from it;
- `base+tag@x` belongs to whoever `base@x` belongs to: it is routed to the owner of `x`, and
  in a mail domain nobody owns (rows older than mail domains) to the domain of `base@x`,
  never to another domain's registration of the tagged address itself.

Routing is asked at RCPT for every recipient, so `route()` answers from a process-local
cache (ROUTING_TTL): see its docstring for how changes reach a running listener.
"""

import copy
import time

from django.db.models import Subquery
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.tenancy.mail_domains import normalise_host
from comptoir.tenancy.models import MailDomain


def normalise_address(address: str) -> str:
    """`<Support+VIP@École.TEST>` -> `support+vip@xn--cole-9oa.test`."""
    address = address.strip().strip("<>").strip().lower()
    local, at, host = address.rpartition("@")
    if not at:
        return address
    return f"{local}@{normalise_host(host)}"


def base_address(address: str) -> str:
    """`support+x@acme.test` -> `support@acme.test` (the address unchanged when untagged)."""
    local, at, host = address.rpartition("@")
    return f"{local.split('+', 1)[0]}@{host}" if at else address


def address_owner(address: str) -> int | None:
    """The id of the Comptoir domain that owns the address's mail domain; None if nobody."""
    _local, at, host = normalise_address(address).rpartition("@")
    if not at:
        return None
    return MailDomain.objects.filter(name=host).values_list("domain_id", flat=True).first()


def may_use(domain_id: int, address: str) -> bool:
    """Whether a domain may receive mail on, or send from, this address."""
    return address_owner(address) == domain_id


def not_yours() -> str:
    """The refusal of an address the domain may not use (may_use), which names nobody."""
    return _(
        "This address is not in one of your domain's mail domains. "
        "The domain's settings list them; an operator adds others."
    )


def foreign_addresses(domain_id: int, addresses: list[str]) -> list[str]:
    """Those of `addresses` the domain may not send from, in one query (a reply's From and
    Reply-To are checked on every queued message)."""
    hosts = {a: normalise_address(a).rpartition("@")[2] for a in addresses if "@" in a}
    owned = set(
        MailDomain.objects.filter(domain_id=domain_id, name__in=set(hosts.values())).values_list(
            "name", flat=True
        )
    )
    return [a for a in addresses if hosts.get(a) not in owned]


def routed_address(address: str, domain_id: int | None = None) -> InboundAddress | None:
    """The inbound address row that mail to `address` reaches: the exact address, then its
    base (`support+x@` -> `support@`), but only rows of the address's owner. `domain_id`
    narrows routing to one domain (`comptoir ingest --domain`). One query: the candidate
    rows, each carrying the owner of the address's mail domain."""
    address = normalise_address(address)
    base = base_address(address)
    host = address.rpartition("@")[2] if "@" in address else ""
    owners = MailDomain.objects.filter(name=host).values("domain_id")[:1]
    rows = InboundAddress.objects.filter(address__in={address, base}).annotate(
        host_owner=Subquery(owners)
    )
    found = {row.address: row for row in rows.select_related("campaign__domain")}
    owner = next((row.host_owner for row in found.values()), None) if host else None
    if owner is None and base in found:
        owner = found[base].domain_id  # a tag belongs to its base address's domain
    for candidate in (address, base):
        row = found.get(candidate)
        if row is None or (owner is not None and row.domain_id != owner):
            continue
        if domain_id is None or row.domain_id == domain_id:
            return row
    return None


# How long a running process (`comptoir smtpd`, IMAP workers) may keep routing mail as it was
# routed before a change made elsewhere (the web process): an address removed, a campaign's
# settings or a mail domain given to another tenant reach it within this many seconds.
ROUTING_TTL = 5.0
ROUTING_CACHE_SIZE = 4096  # tagged addresses are unbounded: past this, start afresh
_routes: dict[tuple[str, int | None], tuple[float, Campaign]] = {}
clock = time.monotonic  # tests move it forward


def route(address: str, domain_id: int | None = None) -> Campaign | None:
    """The campaign mail to `address` reaches (routed_address), answered from memory for
    ROUTING_TTL seconds after a lookup found it. In this process any save or delete of an
    inbound address, mail domain, campaign or domain forgets every answer at once
    (`forget_routes`, connected in apps.py); other processes see the change after the TTL.

    Unknown addresses are not remembered: the listener refuses them with a permanent 550,
    so remembering one would bounce mail for an address created a moment ago, and a
    dictionary attack would fill the memory. Each costs one query, as before."""
    key = (normalise_address(address), domain_id)
    now = clock()
    cached = _routes.get(key)
    if cached is not None and now - cached[0] < ROUTING_TTL:
        return copy.copy(cached[1])  # a copy per caller: threads never share an instance
    row = routed_address(key[0], domain_id)
    if row is None:
        _routes.pop(key, None)
        return None
    if len(_routes) >= ROUTING_CACHE_SIZE:
        _routes.clear()
    _routes[key] = (now, row.campaign)
    return copy.copy(row.campaign)


def remembered_route(address: str, domain_id: int | None = None) -> Campaign | None:
    """route()'s answer when it is in memory and fresh, else None, without any query: the
    listener asks this on its event loop at RCPT, and a thread (and a database connection)
    only when it gives None. Nothing it reads can block: safe on the event loop."""
    cached = _routes.get((normalise_address(address), domain_id))
    if cached is not None and clock() - cached[0] < ROUTING_TTL:
        return copy.copy(cached[1])
    return None


def forget_routes(*_args: object, **_kwargs: object) -> None:
    """Forget every cached route (a signal receiver: routing rows changed in this process)."""
    _routes.clear()
