"""Consumers that turn domain events into in-app notices.

Each is a plain ``async def (event, uow)``; the consumer runs it once per event (the inbox).
A notice records ``NoticeCreated``, from which the email consumer sends it on.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from visionscope.building_blocks.db import utcnow
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.events import CreditsLow, TierChanged
from visionscope.features.notifications.events import NoticeCreated, WebhookEndpointDisabled
from visionscope.features.notifications.models import Notice, WebhookEndpoint
from visionscope.features.videos.events import VideoAnalysed, VideoAnalysisFailed
from visionscope.features.videos.public import video_summary
from visionscope.features.workspaces.events import (
    CollaboratorAdded,
    OwnershipTransferred,
    WorkspaceDeleted,
)
from visionscope.features.workspaces.public import live_workspace_name, member_roles

MANAGING_ROLES = ("owner", "admin")


async def create_notice(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    workspace_id: uuid.UUID | None,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
    source_event_id: uuid.UUID | None = None,
) -> Notice:
    """Add a notice for one user, in the caller's transaction."""
    notice = Notice(
        id=uuid.uuid4(),
        user_id=user_id,
        workspace_id=workspace_id,
        kind=kind,
        title=title[:300],
        body=body,
        data=data or {},
        source_event_id=source_event_id,
        created_at=utcnow(),
    )
    uow.session.add(notice)
    uow.record(NoticeCreated(notice_id=notice.id, user_id=user_id, workspace_id=workspace_id, kind=kind))
    return notice


async def workspace_name(uow: UnitOfWork, workspace_id: uuid.UUID) -> str | None:
    """The workspace's name, or None once it is deleted."""
    return await live_workspace_name(uow.session, workspace_id)


async def workspace_managers(uow: UnitOfWork, workspace_id: uuid.UUID) -> list[uuid.UUID]:
    """The owner and the admins: who hears about what needs managing."""
    return [
        user_id for user_id, role in await member_roles(uow.session, workspace_id) if role in MANAGING_ROLES
    ]


def _shown(name: str | None) -> str:
    return name if name else "(deleted)"


async def collaborator_added(event: CollaboratorAdded, uow: UnitOfWork) -> None:
    """Tell the invited user where they were added and with which role."""
    name = await workspace_name(uow, event.workspace_id)
    await create_notice(
        uow,
        user_id=event.user_id,
        workspace_id=event.workspace_id,
        kind="collaborator.added",
        title=f"You were added to workspace {_shown(name)} as {event.role}",
        body=f"You can now open {_shown(name)} in VisionScope with the {event.role} role.",
        data={"role": event.role},
        source_event_id=event.event_id,
    )


async def ownership_transferred(event: OwnershipTransferred, uow: UnitOfWork) -> None:
    """Tell the new owner; the previous owner, who made the change, stays on as admin."""
    name = await workspace_name(uow, event.workspace_id)
    await create_notice(
        uow,
        user_id=event.new_owner_id,
        workspace_id=event.workspace_id,
        kind="workspace.ownership_transferred",
        title=f"You are now the owner of workspace {_shown(name)}",
        body=(
            f"Ownership of {_shown(name)} was transferred to you; its billing and deletion are "
            "now yours to decide. The previous owner stays on as an admin."
        ),
        data={"previous_owner_id": str(event.old_owner_id)},
        source_event_id=event.event_id,
    )


async def workspace_deleted(event: WorkspaceDeleted, uow: UnitOfWork) -> None:
    """Tell every collaborator but the one who deleted it."""
    for user_id, _ in await member_roles(uow.session, event.workspace_id):
        if user_id == uow.actor_id:
            continue
        await create_notice(
            uow,
            user_id=user_id,
            workspace_id=None,  # the workspace no longer opens; the id stays in the data
            kind="workspace.deleted",
            title="A workspace you belonged to was deleted",
            body="Its projects and videos are no longer available, and its API keys stopped working.",
            data={"workspace_id": str(event.workspace_id)},
            source_event_id=event.event_id,
        )


async def webhook_endpoint_disabled(event: WebhookEndpointDisabled, uow: UnitOfWork) -> None:
    """Tell the owner and admins that an endpoint stopped receiving events."""
    name = await workspace_name(uow, event.workspace_id)
    endpoint = await uow.session.get(WebhookEndpoint, event.endpoint_id)
    target = httpx.URL(endpoint.url).host if endpoint else "its receiver"
    for user_id in await workspace_managers(uow, event.workspace_id):
        await create_notice(
            uow,
            user_id=user_id,
            workspace_id=event.workspace_id,
            kind="webhook.disabled",
            title=f"A webhook of workspace {_shown(name)} was disabled",
            body=(
                f"Deliveries to {target} failed {event.failures} times in a row, so the endpoint was "
                "disabled. Fix the receiver, enable the webhook again, then replay the deliveries it missed."
            ),
            data={"endpoint_id": str(event.endpoint_id), "failures": event.failures},
            source_event_id=event.event_id,
        )


async def _tell_uploader(
    uow: UnitOfWork,
    event: VideoAnalysed | VideoAnalysisFailed,
    *,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
) -> None:
    """A notice about a video for whoever uploaded it; ``{name}`` in the texts is the video's name."""
    found = await video_summary(uow.session, event.video_id)
    name, uploader = found if found else ("", None)
    if uploader is None:
        return
    await create_notice(
        uow,
        user_id=uploader,
        workspace_id=event.workspace_id,
        kind=kind,
        title=title.format(name=name),
        body=body.format(name=name),
        data={"video_id": str(event.video_id), "project_id": str(event.project_id), **(data or {})},
        source_event_id=event.event_id,
    )


async def video_ready(event: VideoAnalysed, uow: UnitOfWork) -> None:
    """Tell whoever uploaded the video that it can be asked questions now."""
    await _tell_uploader(
        uow,
        event,
        kind="video.ready",
        title="{name} is analysed",
        body="{name} (" + f"{event.duration:.0f}" + " s) is ready: open it to ask questions about it.",
    )


async def video_failed(event: VideoAnalysisFailed, uow: UnitOfWork) -> None:
    """Tell whoever uploaded the video why its analysis failed."""
    await _tell_uploader(
        uow,
        event,
        kind="video.failed",
        title="{name} could not be analysed",
        body=event.reason.replace("{", "{{").replace("}", "}}"),
        data={"reason": event.reason},
    )


async def credits_low(event: CreditsLow, uow: UnitOfWork) -> None:
    """Tell the owner and admins that a credit pool is running out."""
    name = await workspace_name(uow, event.workspace_id)
    for user_id in await workspace_managers(uow, event.workspace_id):
        await create_notice(
            uow,
            user_id=user_id,
            workspace_id=event.workspace_id,
            kind="credits.low",
            title=f"{event.feature} credits are running low in {_shown(name)}",
            body=(
                f"{event.available} {event.feature} credits are left (under {event.threshold}). "
                "Top up, or move to a larger tier."
            ),
            data={"feature": event.feature, "available": event.available, "threshold": event.threshold},
            source_event_id=event.event_id,
        )


async def tier_changed(event: TierChanged, uow: UnitOfWork) -> None:
    """Tell the owner and admins that the workspace moved to another tier."""
    name = await workspace_name(uow, event.workspace_id)
    for user_id in await workspace_managers(uow, event.workspace_id):
        await create_notice(
            uow,
            user_id=user_id,
            workspace_id=event.workspace_id,
            kind="workspace.tier_changed",
            title=f"{_shown(name)} is now on the {event.to_tier} tier",
            body=f"The workspace moved from {event.from_tier} to {event.to_tier}.",
            data={"from_tier": event.from_tier, "to_tier": event.to_tier, "direction": event.direction},
            source_event_id=event.event_id,
        )
