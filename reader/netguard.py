"""Where a fetch may go: URL length, and the user's own network (SSRF).

A feed is a stranger's document, and so is every redirect its server sends and every link in
it. None of them may point the reader at the user's own machine or network (a router's admin
page, a cloud metadata service at 169.254.169.254, a database on localhost) unless the user
chose such an address themselves by subscribing to it.

An address counts as *internal* when it is not globally routable: loopback (127/8, ::1),
private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), "this
network" (0/8, ::), shared address space (100.64/10), multicast, reserved and documentation
ranges, and the IPv6 forms that embed one of those IPv4 addresses (::ffff:a.b.c.d,
::a.b.c.d, 64:ff9b::/96, 2002::/16). A host written as a number in any spelling a C
resolver accepts (`2130706433`, `0x7f.1`, `017700000001`, `127.1`) is read the way the
resolver will read it; a host name is resolved, and it is internal when any of its addresses
is.

The check resolves the name, then httpx resolves it again to connect: a DNS server that
answers differently the second time (DNS rebinding) can slip through. See SECURITY.md.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable

from reader.text import MAX_URL_LENGTH

__all__ = [
    "MAX_URL_LENGTH",
    "IPAddress",
    "host_is_internal",
    "is_internal_address",
    "literal_address",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NUMERIC_HOST = re.compile(r"[0-9A-Fa-fXx.]+")
"""What an inet_aton-style IPv4 literal can be made of (decimal, octal, hex parts)."""
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def literal_address(host: str) -> IPAddress | None:
    """The address `host` names literally, or None for a host name.

    Accepts what a resolver would turn into an address without asking DNS: dotted quads,
    bracketed IPv6 (with or without a zone), and the odd IPv4 spellings (one to four parts,
    each decimal, octal with a leading 0, or hex with 0x).
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # an IPv6 zone id (fe80::1%eth0)
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]  # a fully qualified "127.0.0.1." still means 127.0.0.1
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(text) and text[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the embedding forms."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_internal_address(address: IPAddress) -> bool:
    """True for any address that is not globally routable (see the module docstring)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_internal_address(embedded)
    return not address.is_global or address.is_multicast


def _is_local_name(host: str) -> bool:
    name = host.strip().rstrip(".").lower()
    return name in _LOCAL_NAMES or name.endswith(".localhost")


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (raises socket.gaierror when it does not resolve)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = literal_address(str(sockaddr[0]))
        if address is not None:
            addresses.append(address)
    return addresses


def _any_internal(addresses: Iterable[IPAddress]) -> bool:
    return any(is_internal_address(address) for address in addresses)


async def host_is_internal(host: str, port: int) -> bool:
    """Whether `host` is, or resolves to, an internal address (any of its addresses).

    Raises socket.gaierror when the name does not resolve: the caller cannot tell, so it
    must not fetch.
    """
    address = literal_address(host)
    if address is not None:
        return is_internal_address(address)
    if _is_local_name(host):
        return True
    addresses = await resolve(host, port)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no addresses")
    return _any_internal(addresses)
