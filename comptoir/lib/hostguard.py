"""Where Comptoir may open a connection on a tenant's behalf (IMAP polling and the editor's
"test the connection"): public addresses only, unless the operator lists internal networks in
COMPTOIR_IMAP_ALLOWED_NETWORKS.

A tenant types the host name, so without this guard Comptoir would reach, from inside the
operator's network, the loopback, the private ranges, the cloud metadata service. The name is
resolved once, within a deadline, every address it gives is checked, and the caller connects to
those checked addresses (never to the name again, which a second lookup could answer
differently: DNS rebinding).
"""

import ipaddress
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Lookups run here so that a resolver that never answers costs a thread, not the request: a
# few threads, so that stuck lookups cannot pile up (the next ones wait, then time out).
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="comptoir-dns")
# 6to4 and NAT64 wrap an IPv4 address that the network may unwrap.
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# At most this many addresses of one name are tried, one after the other.
MAX_ADDRESSES = 3


class HostRefused(Exception):
    """The host is, or resolves to, an address the guard does not allow."""


def parse(address: str) -> IPAddress:
    # A scoped IPv6 address ("fe80::1%eth0") is link-local whatever its zone.
    return ipaddress.ip_address(address.split("%", 1)[0])


def wrapped_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in SIX_TO_FOUR:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def operator_allows(ip: IPAddress) -> bool:
    networks = [
        ipaddress.ip_network(n, strict=False) for n in settings.COMPTOIR_IMAP_ALLOWED_NETWORKS
    ]
    return any(ip.version == net.version and ip in net for net in networks)


def is_public(ip: IPAddress) -> bool:
    # is_global follows IANA's special-purpose registries (private, loopback, link-local,
    # shared, documentation, benchmarking, reserved...); multicast is "global" there.
    return ip.is_global and not ip.is_multicast


def address_allowed(address: str) -> bool:
    """Public, or inside a network the operator allows; an IPv6 address wrapping an IPv4 one
    is judged by the IPv4 address it reaches."""
    ip = parse(address)
    reached = wrapped_ipv4(ip) or ip
    return operator_allows(reached) or is_public(reached)


def plaintext_allowed(address: str) -> bool:
    """Unencrypted IMAP only inside the operator's networks: elsewhere the password would
    cross networks nobody here controls."""
    ip = parse(address)
    return operator_allows(wrapped_ipv4(ip) or ip)


def literal_refused(host: str) -> bool:
    """For the editor's form: a host typed as a refused address (or "localhost"), known
    without a lookup."""
    if host.strip().rstrip(".").lower() == "localhost":
        return not address_allowed("127.0.0.1")
    try:
        return not address_allowed(host.strip().strip("[]"))
    except ValueError:
        return False  # a name: judged when it is resolved


def resolve(
    host: str,
    port: int,
    *,
    timeout: float,
    lookup: Callable[..., list[Any]] = socket.getaddrinfo,
) -> list[str]:
    """The addresses to connect to for host, each one allowed; HostRefused if any is not
    (a name must not mix public and internal answers), TimeoutError past the deadline,
    socket.gaierror when the name does not resolve."""
    future = _resolver.submit(lookup, host.strip().strip("[]"), port, 0, socket.SOCK_STREAM)
    try:
        answers = future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()
        raise TimeoutError(f"no DNS answer for {host} within {timeout} s") from None
    addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
    if not addresses:
        raise socket.gaierror(f"no address for {host}")
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:
        raise HostRefused(f"{host} resolves to an address that is not allowed ({refused[0]})")
    return addresses[:MAX_ADDRESSES]
