"""Notices emailed through a real (local) SMTP server started by the test."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from tests.helpers import add_member, register, workspace
from tests.receivers import SmtpSink, settle_until, wait_until
from visionscope.bootstrap import Container
from visionscope.building_blocks.consumers import take_for_replay
from visionscope.building_blocks.outbox import DeadMessage
from visionscope.config import Settings
from visionscope.features.notifications.email import SmtpMailer
from visionscope.runtime import EmbeddedRuntime


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpSink]:
    sink = SmtpSink()
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
def settings(settings: Settings, smtp: SmtpSink) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_starttls": False,  # the local sink speaks plain SMTP
            "smtp_user": "mailer",
            "smtp_password": "mail-password",
            "smtp_from": "VisionScope <noreply@visionscope.test>",
        }
    )


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the product logged, fields included (drivers' debug lines with SQL are not ours)."""
    ours = [r for r in caplog.records if r.name.startswith("visionscope")]
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)


async def test_a_notice_is_emailed_to_its_user(
    client: httpx.AsyncClient,
    runtime: EmbeddedRuntime,
    smtp: SmtpSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "editor")

    async def mailed() -> bool:
        return len(smtp.mails) > 0

    await settle_until(runtime, mailed)
    [mail] = smtp.mails
    assert mail.recipients == [member.email] and mail.sender == "noreply@visionscope.test"
    assert mail.message["To"].addresses[0].addr_spec == member.email
    assert mail.message["Subject"] == "You were added to workspace Studio as editor"
    assert "with the editor role" in mail.message.get_content()
    assert smtp.logins == [("mailer", "mail-password")]
    notice_id = mail.message["X-VisionScope-Notice"]
    listed = (await client.get("/v1/notifications", headers=member.headers)).json()["items"]
    assert [n["id"] for n in listed] == [notice_id]
    assert "notice emailed" in logged_text(caplog)
    assert member.email not in logged_text(caplog) and owner.email not in logged_text(caplog)


async def test_an_smtp_outage_is_retried_parked_without_addresses_and_replayable(
    client: httpx.AsyncClient,
    container: Container,
    runtime: EmbeddedRuntime,
    smtp: SmtpSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await smtp.stop()
    await add_member(client, ws, owner, member, "viewer")

    async def parked() -> list[DeadMessage]:
        async with container.read_sessions() as session:
            return list((await session.scalars(select(DeadMessage))).all())

    async def any_parked() -> bool:
        return len(await parked()) > 0

    await settle_until(runtime, any_parked)  # the email handler fails, is retried with backoff, parked
    dead = await parked()
    assert [(d.event_type, d.consumer) for d in dead] == [("NoticeCreated", "notifications.email")]
    assert dead[0].attempts == container.settings.consumer_max_failures
    assert "EmailNotSent" in dead[0].error and member.email not in dead[0].error
    assert member.email not in logged_text(caplog)
    notices = (await client.get("/v1/notifications", headers=member.headers)).json()["items"]
    assert len(notices) == 1  # the in-app notice does not wait for email

    await smtp.start()  # back on the same port
    taken = await take_for_replay(container.sessions, dead[0].id)
    assert taken is not None
    await runtime.broker.publish([taken])

    async def mailed() -> bool:
        return len(smtp.mails) > 0

    await wait_until(mailed)
    await runtime.settle()
    [mail] = smtp.mails
    assert mail.recipients == [member.email]
    assert mail.message["Subject"] == "You were added to workspace Studio as viewer"


def test_without_an_smtp_host_there_is_no_mailer(settings: Settings) -> None:
    assert SmtpMailer.from_settings(settings.model_copy(update={"smtp_host": None})) is None
    mailer = SmtpMailer.from_settings(settings)
    assert mailer is not None and mailer.starttls is False and mailer.port == settings.smtp_port
