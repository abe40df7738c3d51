"""What answering needs before the engine runs (the domain side of the context queries): the
videos to answer from, the conversation's memory, an earlier answer to the same idempotency
key, and whether a credit is left.

These are queries: they read and refuse (404 deleted video, 409 not analysed, 413 question too
long, 402 no credits) before any work is done or anything is charged.
"""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import select

from visionscope.building_blocks.errors import Conflict, NotFound, PaymentRequired, TooLarge
from visionscope.building_blocks.storage import Storage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.public import available_credits, require_feature
from visionscope.features.conversations.answers.knowledge import Subject
from visionscope.features.conversations.answers.memory import Turn
from visionscope.features.conversations.commands import CHAT, SEARCH
from visionscope.features.conversations.models import Conversation, ConversationMessage
from visionscope.features.conversations.queries import AnswerContext, GetAnswerContext, Subjects
from visionscope.features.conversations.reads import citations_of, message_read
from visionscope.features.conversations.schemas import MAX_QUESTION_CHARS, MessageRead
from visionscope.features.videos.public import VideoStatus, analyzed_video, project_videos, work_key
from visionscope.features.workspaces.public import workspace_of_project

#: How many earlier answers a conversation remembers for follow-ups.
MEMORY_TURNS = 20
#: How many earlier exchanges a model is shown.
MODEL_EXCHANGES = 3


def check_question(question: str) -> None:
    if len(question) > MAX_QUESTION_CHARS:
        raise TooLarge(
            f"The question is {len(question)} characters long; ask in at most {MAX_QUESTION_CHARS}.",
            limit=MAX_QUESTION_CHARS,
            length=len(question),
        )


async def ensure_credit(uow: UnitOfWork, workspace_id: uuid.UUID, feature: str) -> None:
    """403 when the tier lacks the feature, 402 when its pool is empty: before any work is done."""
    await require_feature(uow.session, workspace_id, feature)
    available = await available_credits(uow.session, workspace_id, feature)
    if available is not None and available <= 0:
        raise PaymentRequired(
            f"{feature} needs 1 credit; {available} are available.",
            feature=feature,
            needed=1,
            available=available,
        )


async def video_subjects(uow: UnitOfWork, storage: Storage, video_id: uuid.UUID) -> Subjects:
    """404 for a deleted video, 409 with its status for one not analysed."""
    video = await analyzed_video(uow.session, video_id)
    work = storage.path(work_key(video.id))
    return Subjects(video.workspace_id, video.project_id, (Subject(video.id, video.name, work),))


async def project_subjects(
    uow: UnitOfWork, storage: Storage, project_id: uuid.UUID, *, allow_none: bool = False
) -> Subjects:
    """The project's analysed videos; 409 when it has none yet (unless `allow_none`)."""
    workspace_id = await workspace_of_project(uow.session, project_id)
    if workspace_id is None:
        raise NotFound(f"No project with id {project_id}.")
    found: list[Subject] = []
    statuses: set[str] = set()
    for video in await project_videos(uow.session, project_id):
        statuses.add(video.status.value)
        if video.status == VideoStatus.READY:
            found.append(Subject(video.id, video.name, storage.path(work_key(video.id))))
    if not found and not allow_none:
        detail = (
            "The project has no videos yet." if not statuses else "No video of the project is analysed yet."
        )
        raise Conflict(detail, video_status=sorted(statuses)[0] if len(statuses) == 1 else "none")
    return Subjects(workspace_id, project_id, tuple(found))


async def _replay(uow: UnitOfWork, conversation: Conversation, key: str, question: str) -> MessageRead | None:
    answer = await uow.session.scalar(
        select(ConversationMessage).where(
            ConversationMessage.conversation_id == conversation.id,
            ConversationMessage.idempotency_key == key,
        )
    )
    if answer is None:
        return None
    asked = await uow.session.scalar(
        select(ConversationMessage.content).where(
            ConversationMessage.conversation_id == conversation.id,
            ConversationMessage.position == answer.position - 1,
        )
    )
    if asked is not None and asked != question:
        raise Conflict("This idempotency key was already used for a different question.", idempotency_key=key)
    cited = await citations_of(uow.session, [answer.id])
    return message_read(answer, cited.get(answer.id, []))


async def _memory(
    uow: UnitOfWork, conversation_id: uuid.UUID
) -> tuple[tuple[Turn, ...], tuple[tuple[str, str], ...]]:
    rows = list(
        (
            await uow.session.scalars(
                select(ConversationMessage)
                .where(ConversationMessage.conversation_id == conversation_id)
                .order_by(ConversationMessage.position.desc())
                .limit(2 * MEMORY_TURNS)
            )
        ).all()
    )
    rows.reverse()
    turns = tuple(Turn.from_dict(m.memory) for m in rows if m.role == "assistant" and m.memory)
    pairs = [
        (asked.content, answered.content)
        for asked, answered in itertools.pairwise(rows)
        if asked.role == "user" and answered.role == "assistant"
    ]
    return turns, tuple(pairs[-MODEL_EXCHANGES:])


async def answer_context(uow: UnitOfWork, storage: Storage, query: GetAnswerContext) -> AnswerContext:
    """The videos, memory and earlier answer a question needs; refuses before any work is done."""
    check_question(query.question)
    conversation = await uow.session.get(Conversation, query.conversation_id)
    if conversation is None:
        raise NotFound(f"No conversation with id {query.conversation_id}.")
    if query.idempotency_key:
        replay = await _replay(uow, conversation, query.idempotency_key, query.question)
        if replay is not None:
            subjects = Subjects(conversation.workspace_id, conversation.project_id, ())
            return AnswerContext(conversation.id, subjects, (), (), replay)
    if conversation.video_id is not None:
        subjects = await video_subjects(uow, storage, conversation.video_id)
    else:
        subjects = await project_subjects(uow, storage, conversation.project_id)
    await ensure_credit(uow, conversation.workspace_id, CHAT)
    history, exchanges = await _memory(uow, conversation.id)
    return AnswerContext(conversation.id, subjects, history, exchanges, None)


async def paid_video_subjects(
    uow: UnitOfWork, storage: Storage, video_id: uuid.UUID, feature: str
) -> Subjects:
    """The analyzed video, once the workspace is known to have a credit for ``feature``."""
    subjects = await video_subjects(uow, storage, video_id)
    await ensure_credit(uow, subjects.workspace_id, feature)
    return subjects


async def paid_project_subjects(
    uow: UnitOfWork, storage: Storage, project_id: uuid.UUID, feature: str
) -> Subjects:
    """For a search an empty project is no error (nothing is found, nothing is charged)."""
    subjects = await project_subjects(uow, storage, project_id, allow_none=feature == SEARCH)
    await ensure_credit(uow, subjects.workspace_id, feature)
    return subjects
