"""Email: notices sent on through SMTP (standard library smtplib, in a thread) when configured.

Addresses never reach a log line or an error message: SMTP failures are reported by code only.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from visionscope.building_blocks.uow import UnitOfWork
from visionscope.config import Settings
from visionscope.features.identity.public import user_profiles
from visionscope.features.notifications.events import NoticeCreated
from visionscope.features.notifications.models import Notice

log = logging.getLogger("visionscope.notifications.email")


class EmailNotSent(Exception):
    """SMTP refused or failed; the consumer retries with backoff, then parks the event."""


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    user: str | None
    password: str | None
    starttls: bool
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer | None:
        """A mailer when VISIONSCOPE_SMTP_HOST is set, else None (notices stay in the app)."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise EmailNotSent("the SMTP server refused the recipient") from None
        except smtplib.SMTPResponseException as err:
            raise EmailNotSent(f"the SMTP server answered {err.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as err:
            raise EmailNotSent(f"SMTP failed: {type(err).__name__}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def notice_email(notice: Notice, *, sender: str, name: str, address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((_one_line(name), address))
    message["Subject"] = _one_line(notice.title)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "visionscope.invalid"
    message["Message-ID"] = make_msgid(idstring=notice.id.hex, domain=domain)  # no FQDN lookup
    message["X-VisionScope-Notice"] = str(notice.id)
    message.set_content(
        f"{notice.body}\n\n--\nYou get this email because of your VisionScope notifications.\n"
    )
    return message


async def email_notice(event: NoticeCreated, uow: UnitOfWork, *, mailer: SmtpMailer | None) -> None:
    """Email a new notice to its user (nothing to do without SMTP settings)."""
    if mailer is None:
        return
    notice = await uow.session.get(Notice, event.notice_id)
    profiles = await user_profiles(uow.session, [event.user_id])
    if notice is None or event.user_id not in profiles:
        return  # the user (and so the notice) is gone
    name, address = profiles[event.user_id]
    await mailer.send(notice_email(notice, sender=mailer.sender, name=name, address=address))
    log.info("notice emailed", extra={"notice_id": str(notice.id), "kind": notice.kind})
