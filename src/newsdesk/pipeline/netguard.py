"""SSRF guard: refuse to connect to loopback, private, link-local and metadata addresses.

The check runs inside the connection layer on the resolved address of every
connection, so it holds for each hop of a redirect chain and cannot be dodged by
a name that resolves differently between a check and the connect (DNS rebinding):
the socket is opened to the very address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

# Cloud metadata services listen on link-local or these well-known addresses.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddressError(httpcore.ConnectError):
    """A connection to a forbidden address was refused before any packet was sent."""


def is_public(address: Address) -> bool:
    """True for addresses on the public internet; False for every internal kind."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv4Address) and address in _SHARED_NAT)
    )


_SHARED_NAT = ipaddress.ip_network("100.64.0.0/10")


def allowed(address: Address, extra: Iterable[Network] = ()) -> bool:
    """True when ``address`` is public or inside one of the ``extra`` networks."""
    return is_public(address) or any(address in net for net in extra)


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (one, for an address literal)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses the guard allows."""

    def __init__(self, extra: Iterable[Network] = ()) -> None:
        self.extra = tuple(extra)

    # Takes the parent's options as keywords and passes them through unchanged.
    def connect_tcp(  # type: ignore[override]
        self, host: str, port: int, timeout: float | None = None, **kwargs: Any
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve(host, port)
        except OSError as err:
            raise httpcore.ConnectError(f"cannot resolve {host}: {err}") from err
        refused = [a for a in addresses if not allowed(a, self.extra)]
        if refused or not addresses:
            raise BlockedAddressError(
                f"refused: {host} resolves to non-public address {refused[0] if refused else '?'}"
            )
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout=timeout, **kwargs)
            except httpcore.ConnectError as err:
                last = err
        raise last or httpcore.ConnectError(f"cannot connect to {host}")


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through GuardedBackend."""

    def __init__(self, extra: Iterable[Network] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # httpx builds its pool without a backend hook; give the pool ours.
        self._pool._network_backend = GuardedBackend(extra)
