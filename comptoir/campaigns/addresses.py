"""Whose is an email address? The one rule (issue 10, findings 5 and 6) behind registering an
inbound address, choosing a campaign's sender and reply-to, queuing outbound mail and routing
inbound mail:

- an address belongs to the Comptoir domain that owns its mail domain (tenancy.MailDomain,
  compared lower-case and IDNA-normalised); an address of a mail domain nobody owns belongs
  to nobody, so nobody may register it or send from it;
- `base+tag@x` belongs to whoever `base@x` belongs to: it is routed to the owner of `x`, and
  in a mail domain nobody owns (rows older than mail domains) to the domain of `base@x`,
  never to another domain's registration of the tagged address itself.
"""

from comptoir.campaigns.models import InboundAddress
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
    narrows routing to one domain (`comptoir ingest --domain`)."""
    address = normalise_address(address)
    base = base_address(address)
    rows = InboundAddress.objects.filter(address__in={address, base})
    found = {row.address: row for row in rows.select_related("campaign__domain")}
    owner = address_owner(address)
    if owner is None and base in found:
        owner = found[base].domain_id  # a tag belongs to its base address's domain
    for candidate in (address, base):
        row = found.get(candidate)
        if row is None or (owner is not None and row.domain_id != owner):
            continue
        if domain_id is None or row.domain_id == domain_id:
            return row
    return None
