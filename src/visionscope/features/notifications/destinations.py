"""Where webhooks may go: http(s) URLs whose host resolves only to public addresses.

The check runs when an endpoint is created and again before every send. At send time the
request goes to the very address that was checked (the Host header and TLS name stay the
URL's), so a DNS answer that changes between the check and the connection (DNS rebinding)
cannot steer a delivery to a private address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from visionscope.features.notifications.errors import WebhookUrlRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Destination:
    """A checked URL, and the address to connect to (None: private addresses are allowed)."""

    url: httpx.URL
    address: str | None


def _refused(detail: str) -> WebhookUrlRefused:
    return WebhookUrlRefused(detail, errors=[{"field": "url", "message": detail}])


def parse_webhook_url(raw: str) -> httpx.URL:
    """The URL when it is an absolute http or https URL with a host and no credentials."""
    try:
        url = httpx.URL(raw.strip())
    except (httpx.InvalidURL, TypeError):
        raise _refused("The webhook URL is not a valid URL.") from None
    if url.scheme not in _DEFAULT_PORTS:
        raise _refused("Webhook URLs must use http or https.")
    if not url.host:
        raise _refused("The webhook URL has no host.")
    if url.userinfo:
        raise _refused("Webhook URLs may not carry credentials; check the signature instead.")
    return url


def is_public_address(address: IPAddress) -> bool:
    """False for private, loopback, link-local, reserved, shared, multicast and unspecified addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public_address(embedded)
    return address.is_global and not (
        address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or address.is_private
    )


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (an IP literal is its own answer)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


async def check_destination(
    url: httpx.URL, *, allow_private: bool, resolve: Resolver = resolve_host
) -> Destination:
    """Resolve the URL's host and refuse it unless every address is public (or private ones are allowed)."""
    if allow_private:
        return Destination(url, None)
    port = url.port or _DEFAULT_PORTS[url.scheme]
    try:
        addresses = await resolve(url.host, port)
    except (OSError, UnicodeError):
        raise _refused("The webhook URL's host does not resolve.") from None
    if not addresses:
        raise _refused("The webhook URL's host does not resolve.")
    if not all(is_public_address(a) for a in addresses):
        raise _refused("Webhook URLs may not point to private, loopback, link-local or reserved addresses.")
    return Destination(url, str(addresses[0]))


def build_request(
    client: httpx.AsyncClient, destination: Destination, *, content: bytes, headers: dict[str, str]
) -> httpx.Request:
    """A POST to the destination; pinned to its checked address when there is one."""
    url = destination.url
    if destination.address is None:
        return client.build_request("POST", url, content=content, headers=headers)
    pinned = url.copy_with(host=destination.address)
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return client.build_request(
        "POST",
        pinned,
        content=content,
        headers={**headers, "Host": url.netloc.decode("ascii")},
        extensions=extensions,
    )
