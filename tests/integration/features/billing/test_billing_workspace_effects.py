"""PRICING.md side effects of workspace changes: one test per rule, named after it.

"user deleted" is not built yet (there is no user deletion in the product), so it has no test here.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.billing_support import (
    SYSTEM,
    ManualClock,
    assert_books_balance,
    load,
    new_account,
    new_workspace,
    offer,
    packaged,
    pools_of,
)
from visionscope.bootstrap import Container
from visionscope.building_blocks.errors import Forbidden, NotFound, PaymentRequired
from visionscope.building_blocks.messages import Role
from visionscope.building_blocks.outbox import OutboxMessage
from visionscope.features.billing.commands import CaptureCredits, ChargeCredits, ReserveCredits
from visionscope.features.billing.models import LedgerEntry, UsageLog
from visionscope.features.billing.queries import GetUsage
from visionscope.features.identity.models import User
from visionscope.features.workspaces.commands import (
    AddCollaborator,
    CreateProject,
    DeleteProject,
    DeleteWorkspace,
    RemoveCollaborator,
    TransferOwnership,
)
from visionscope.features.workspaces.queries import ListCollaborators


async def add(container: Container, workspace_id: uuid.UUID, inviter: uuid.UUID, name: str) -> uuid.UUID:
    member = await new_account(container, name)
    await container.mediator.send(
        AddCollaborator(workspace_id=workspace_id, email=member.email, role=Role.EDITOR, invited_by=inviter),
        SYSTEM,
    )
    return member.id


async def usage_states(container: Container) -> dict[str, tuple[str, uuid.UUID | None]]:
    async with container.read_sessions() as session:
        rows = await session.execute(select(UsageLog.idempotency_key, UsageLog.state, UsageLog.project_id))
        return {row[0]: (row[1], row[2]) for row in rows}


async def test_workspace_created_on_a_tier(billing: Container, clock: ManualClock) -> None:
    """Owner becomes collaborator with role owner; one pool per enabled tier feature, granted its
    monthly_credits; the period starts now."""
    ws = await new_workspace(billing, "free")
    members = await billing.mediator.send(ListCollaborators(workspace_id=ws.id), SYSTEM)
    assert [(m.user_id, m.role) for m in members] == [(ws.owner_id, "owner")]
    pools = await pools_of(billing, ws.id)
    assert {key: p.granted for key, p in pools.items()} == {
        key: spec["monthly_credits"] for key, spec in offer(packaged(), "free").items()
    }
    assert {p.status for p in pools.values()} == {"active"}
    assert ws.period_start == clock.now
    assert all((p.period_start, p.period_end) == (ws.period_start, ws.period_end) for p in pools.values())
    async with billing.read_sessions() as session:
        kinds = list(await session.scalars(select(LedgerEntry.kind)))
    assert kinds == ["grant"] * len(pools)
    await assert_books_balance(billing)


async def test_collaborator_added(billing: Container) -> None:
    """A seat is charged where the tier meters seats; max_collaborators is enforced."""
    ws = await new_workspace(billing, "free")  # 3 seat credits, max_collaborators 3
    members = [await add(billing, ws.id, ws.owner_id, f"M{n}") for n in range(3)]
    seats = (await pools_of(billing, ws.id))["seats"]
    assert (seats.used, seats.available) == (3, 0)
    with pytest.raises(Forbidden) as refused:
        await add(billing, ws.id, ws.owner_id, "Fourth")
    assert refused.value.extra["limit"] == "max_collaborators" and refused.value.extra["maximum"] == 3
    # Removing someone frees a place; adding the same person back in the period is not charged twice.
    await billing.mediator.send(RemoveCollaborator(workspace_id=ws.id, user_id=members[0]), SYSTEM)
    await billing.mediator.send(
        AddCollaborator(
            workspace_id=ws.id,
            email=(await _email(billing, members[0])),
            role=Role.VIEWER,
            invited_by=ws.owner_id,
        ),
        SYSTEM,
    )
    assert (await pools_of(billing, ws.id))["seats"].used == 3
    await assert_books_balance(billing)


async def _email(container: Container, user_id: uuid.UUID) -> str:
    async with container.read_sessions() as session:
        email = await session.scalar(select(User.email).where(User.id == user_id))
    assert email is not None
    return email


async def test_collaborator_added_without_seat_credits_is_402(billing: Container) -> None:
    catalog = packaged()
    offer(catalog, "free")["seats"] = {"monthly_credits": 1, "limits": {"max_collaborators": 5}}
    await load(billing, catalog)
    ws = await new_workspace(billing, "free")
    await add(billing, ws.id, ws.owner_id, "First")
    with pytest.raises(PaymentRequired) as refused:
        await add(billing, ws.id, ws.owner_id, "Second")
    assert refused.value.extra == {"feature": "seats", "needed": 1, "available": 0}
    members = await billing.mediator.send(ListCollaborators(workspace_id=ws.id), SYSTEM)
    assert len(members) == 2  # nothing half-done: the second one was not added


async def test_collaborator_removed_or_leaves(billing: Container) -> None:
    """Their usage logs stay."""
    ws = await new_workspace(billing, "pro")
    member = await add(billing, ws.id, ws.owner_id, "Member")
    await billing.mediator.send(
        ChargeCredits(
            workspace_id=ws.id,
            feature="chat_message",
            quantity=2,
            idempotency_key="q",
            operation="chat",
            user_id=member,
        ),
        SYSTEM,
    )
    await billing.mediator.send(RemoveCollaborator(workspace_id=ws.id, user_id=member), SYSTEM)
    report = await billing.mediator.send(GetUsage(workspace_id=ws.id, group_by="user"), SYSTEM)
    by_user = {row.key: row.credits for row in report.rows}
    assert by_user[str(member)] == 2


async def test_ownership_transferred(billing: Container) -> None:
    """The new owner has role owner, the old one admin; the pools do not change."""
    ws = await new_workspace(billing, "pro")
    heir = await add(billing, ws.id, ws.owner_id, "Heir")
    before = await pools_of(billing, ws.id)
    moved = await billing.mediator.send(TransferOwnership(workspace_id=ws.id, new_owner_id=heir), SYSTEM)
    assert moved.owner_id == heir
    assert await pools_of(billing, ws.id) == before


async def test_project_deleted(billing: Container) -> None:
    """Its running analyses' reservations are released; usage logs keep project_id."""
    ws = await new_workspace(billing, "pro")
    doomed = await billing.mediator.send(
        CreateProject(workspace_id=ws.id, name="doomed", created_by=None), SYSTEM
    )
    kept = await billing.mediator.send(
        CreateProject(workspace_id=ws.id, name="kept", created_by=None), SYSTEM
    )
    for key, project in (("a", doomed.id), ("b", doomed.id), ("c", kept.id)):
        await billing.mediator.send(
            ReserveCredits(
                workspace_id=ws.id,
                feature="video_analysis",
                quantity=2,
                idempotency_key=key,
                operation=f"analysis:{key}",
                project_id=project,
            ),
            SYSTEM,
        )
    await billing.mediator.send(CaptureCredits(workspace_id=ws.id, idempotency_key="b", quantity=1), SYSTEM)
    await billing.mediator.send(DeleteProject(project_id=doomed.id), SYSTEM)
    assert await usage_states(billing) == {
        "a": ("released", doomed.id),
        "b": ("captured", doomed.id),
        "c": ("reserved", kept.id),
    }
    assert (await pools_of(billing, ws.id))["video_analysis"].reserved == 20
    await assert_books_balance(billing)


async def test_workspace_deleted(billing: Container) -> None:
    """Running work's reservations released, pools closed; usage logs kept for audit."""
    ws = await new_workspace(billing, "pro")
    other = await new_workspace(billing, "pro")
    for target in (ws.id, other.id):
        await billing.mediator.send(
            ReserveCredits(
                workspace_id=target,
                feature="video_analysis",
                quantity=3,
                idempotency_key="job",
                operation="analysis",
            ),
            SYSTEM,
        )
    await billing.mediator.send(DeleteWorkspace(workspace_id=ws.id), SYSTEM)
    async with billing.read_sessions() as session:
        logs = (await session.execute(select(UsageLog.workspace_id, UsageLog.state))).all()
        closed = await session.scalar(
            select(OutboxMessage.payload).where(OutboxMessage.type == "CreditPoolsClosed")
        )
    assert sorted((row[0] == ws.id, row[1]) for row in logs) == [(False, "reserved"), (True, "released")]
    assert closed is not None and closed["released_reservations"] == 1 and closed["pools"] == 6
    assert await pools_of(billing, ws.id) == {}  # closed pools are no longer listed
    with pytest.raises(NotFound):
        await billing.mediator.send(
            ChargeCredits(
                workspace_id=ws.id, feature="search", quantity=1, idempotency_key="late", operation="x"
            ),
            SYSTEM,
        )
    assert (await pools_of(billing, other.id))["video_analysis"].reserved == 30
    await assert_books_balance(billing)
