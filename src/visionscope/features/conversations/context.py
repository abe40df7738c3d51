"""What answering needs before the engine runs: the videos to answer from, the conversation's
memory, an earlier answer to the same idempotency key, and whether a credit is left.

These are queries: they read and refuse (404 deleted video, 409 not analysed, 413 question too
long, 402 no credits) before any work is done or anything is charged.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from visionscope.building_blocks.errors import Conflict, NotFound, PaymentRequired, TooLarge
from visionscope.building_blocks.messages import Query, Role, in_project
from visionscope.building_blocks.storage import Storage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.public import require_feature
from visionscope.features.billing.queries import GetCreditPools, get_credit_pools
from visionscope.features.conversations.answers.knowledge import Subject
from visionscope.features.conversations.answers.memory import Turn
from visionscope.features.conversations.commands import in_conversation, in_video
from visionscope.features.conversations.models import Conversation, ConversationMessage
from visionscope.features.conversations.queries import citations_of, message_read
from visionscope.features.conversations.schemas import MAX_QUESTION_CHARS, MessageRead
from visionscope.features.videos.queries import GetVideoFiles, ListVideos, get_video_files, list_videos
from visionscope.features.videos.results import work_key
from visionscope.features.workspaces.public import workspace_of_project

CHAT, SEARCH = "chat_message", "search"
#: How many earlier answers a conversation remembers for follow-ups.
MEMORY_TURNS = 20
#: How many earlier exchanges a model is shown.
MODEL_EXCHANGES = 3


@dataclass(frozen=True)
class Subjects:
    """The analysed videos a question or search is answered from, and whose they are."""

    workspace_id: uuid.UUID
    project_id: uuid.UUID
    subjects: tuple[Subject, ...]


@dataclass(frozen=True)
class AnswerContext:
    conversation_id: uuid.UUID
    subjects: Subjects
    history: tuple[Turn, ...]
    exchanges: tuple[tuple[str, str], ...]
    replay: MessageRead | None


@dataclass(frozen=True, kw_only=True)
class GetAnswerContext(Query[AnswerContext]):
    access = in_conversation(Role.VIEWER)
    conversation_id: uuid.UUID
    question: str
    idempotency_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class GetVideoSubjects(Query[Subjects]):
    access = in_video(Role.VIEWER)
    video_id: uuid.UUID
    feature: str = CHAT


@dataclass(frozen=True, kw_only=True)
class GetProjectSubjects(Query[Subjects]):
    access = in_project(Role.VIEWER)
    project_id: uuid.UUID
    feature: str = CHAT


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
    pools = await get_credit_pools(GetCreditPools(workspace_id=workspace_id), uow=uow)
    pool = next((p for p in pools if p.feature == feature), None)
    if pool is not None and pool.available <= 0:
        raise PaymentRequired(
            f"{feature} needs 1 credit; {pool.available} are available.",
            feature=feature,
            needed=1,
            available=pool.available,
        )


async def video_subjects(uow: UnitOfWork, storage: Storage, video_id: uuid.UUID) -> Subjects:
    """404 for a deleted video, 409 with its status for one not analysed."""
    video, _, work = await get_video_files(
        GetVideoFiles(video_id=video_id, ready_only=True), uow=uow, storage=storage
    )
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
    cursor: str | None = None
    while True:
        videos, cursor = await list_videos(
            ListVideos(project_id=project_id, limit=200, cursor=cursor), uow=uow
        )
        for video in videos:
            statuses.add(video.status)
            if video.status == "ready":
                found.append(Subject(video.id, video.name, storage.path(work_key(video.id))))
        if cursor is None:
            break
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


async def get_answer_context(query: GetAnswerContext, *, uow: UnitOfWork, storage: Storage) -> AnswerContext:
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


async def get_video_subjects(query: GetVideoSubjects, *, uow: UnitOfWork, storage: Storage) -> Subjects:
    subjects = await video_subjects(uow, storage, query.video_id)
    await ensure_credit(uow, subjects.workspace_id, query.feature)
    return subjects


async def get_project_subjects(query: GetProjectSubjects, *, uow: UnitOfWork, storage: Storage) -> Subjects:
    """For a search an empty project is no error (nothing is found, nothing is charged)."""
    subjects = await project_subjects(uow, storage, query.project_id, allow_none=query.feature == SEARCH)
    await ensure_credit(uow, subjects.workspace_id, query.feature)
    return subjects
