"""Readers' addresses: who sent a request, and how little of it is kept."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted() -> set[str]:
    names = str(settings.NEWSDESK["NEWSDESK_TRUSTED_PROXIES"]).split(",")
    return {str(a) for a in (_parse(n) for n in names if n.strip()) if a is not None}


def client_ip(request: HttpRequest) -> str:
    """The reader's address: REMOTE_ADDR, or, when that is a trusted reverse proxy (nginx on
    the same machine), the last X-Forwarded-For entry no trusted proxy added. Entries further
    left were written by the client and could be anything, so they are never believed."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    trusted = _trusted()
    if str(remote) not in trusted:
        return str(remote)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break
        if str(address) not in trusted:
            return str(address)
    return str(remote)


def truncate(ip: str) -> str:
    """The network an address belongs to, as stored: /24 for IPv4, /48 for IPv6; enough to
    throttle and to spot a flood, too little to name a household."""
    address = _parse(ip)
    if address is None:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
