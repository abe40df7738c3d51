"""Pure rules of webhooks: which addresses are public, URL checks, pinning, signatures, backoff."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from visionscope.config import Settings
from visionscope.features.notifications.delivery import retry_delay
from visionscope.features.notifications.destinations import (
    Destination,
    IPAddress,
    build_request,
    check_destination,
    is_public_address,
    parse_webhook_url,
)
from visionscope.features.notifications.errors import WebhookUrlRefused
from visionscope.features.notifications.signing import signature, verify_signature, webhook_body
from visionscope.features.workspaces.events import CollaboratorAdded

PRIVATE = [
    "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",  # noqa: S104
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "198.18.0.1", "::1", "::", "fe80::1", "fd00::1",
    "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b:1::1",
]  # fmt: skip
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]


@pytest.mark.parametrize("address", PRIVATE)
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost", "https://u:p@example.com/", "example"],
)
def test_only_absolute_http_urls_without_credentials(url: str) -> None:
    with pytest.raises(WebhookUrlRefused):
        parse_webhook_url(url)


async def test_a_name_is_refused_if_any_of_its_addresses_is_private() -> None:
    """The resolver is the one input here; a name answering a private address among public ones
    (or later, after a rebinding) is refused."""
    answers: dict[str, list[IPAddress]] = {
        "hooks.example.com": [ipaddress.ip_address("93.184.216.34")],
        "rebound.example.com": [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.7")],
    }

    async def resolve(host: str, port: int) -> list[IPAddress]:
        return answers[host]

    ok = await check_destination(
        parse_webhook_url("https://hooks.example.com/h"), allow_private=False, resolve=resolve
    )
    assert ok.address == "93.184.216.34"
    with pytest.raises(WebhookUrlRefused):
        await check_destination(
            parse_webhook_url("https://rebound.example.com/h"), allow_private=False, resolve=resolve
        )
    allowed = await check_destination(
        parse_webhook_url("http://127.0.0.1:5/h"), allow_private=True, resolve=resolve
    )
    assert allowed.address is None


async def test_a_send_goes_to_the_checked_address_with_the_urls_host_name() -> None:
    url = parse_webhook_url("https://hooks.example.com:8443/in?x=1")
    async with httpx.AsyncClient() as client:
        request = build_request(client, Destination(url, "93.184.216.34"), content=b"{}", headers={"A": "b"})
        v6 = build_request(client, Destination(url, "2606:4700::1"), content=b"{}", headers={})
        plain = build_request(client, Destination(url, None), content=b"{}", headers={})
    assert str(request.url) == "https://93.184.216.34:8443/in?x=1"
    assert request.headers["Host"] == "hooks.example.com:8443" and request.headers["A"] == "b"
    assert request.extensions["sni_hostname"] == "hooks.example.com"  # TLS checks the name, not the IP
    assert str(v6.url) == "https://[2606:4700::1]:8443/in?x=1"
    assert str(plain.url) == str(url)


def test_the_signature_is_an_hmac_of_timestamp_dot_body() -> None:
    body = b'{"id":"e"}'
    header = signature("whsec_s", 1700000000, body)
    expected = hmac.new(b"whsec_s", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify_signature("whsec_s", header, body, now=1700000100)
    assert not verify_signature("whsec_s", header, body + b" ", now=1700000100)
    assert not verify_signature("whsec_s", header, body, now=1700001000)  # too old: a replayed request
    assert not verify_signature("whsec_s", "garbage", body, now=1700000000)


def test_the_body_carries_the_event_id_and_its_public_type() -> None:
    event = CollaboratorAdded(
        workspace_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        role="editor",
        invited_by=None,
        occurred_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    body = webhook_body(event, "collaborator.added")
    assert body.startswith('{"id":"' + str(event.event_id) + '","type":"collaborator.added"')
    assert '"created_at":"2025-01-02T03:04:05Z"' in body
    assert f'"data":{{"user_id":"{event.user_id}","role":"editor","invited_by":null}}' in body


def test_retries_back_off_exponentially_up_to_a_ceiling() -> None:
    settings = Settings(webhook_retry_base_seconds=10, webhook_retry_max_seconds=100)
    delays = [retry_delay(settings, n) for n in range(1, 7)]
    for n, delay in enumerate(delays[:4], start=1):
        assert 0.8 * 10 * 2 ** (n - 1) <= delay <= 1.2 * 10 * 2 ** (n - 1)
    assert all(d <= 120 for d in delays)
