"""Conversation handlers: start, record an answer (charged once per idempotency key), charge, hold
and settle a completion's credit; and the queries, delegated to the read side and the context."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from visionscope.building_blocks.errors import Conflict, NotFound
from visionscope.building_blocks.storage import Storage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.billing.public import Metered, charge_credits, release_credits
from visionscope.features.conversations import completion_credits, context, reads
from visionscope.features.conversations.commands import (
    CHAT,
    SEARCH,
    ChargeCompletion,
    ChargeSearch,
    CreditHold,
    HoldCompletionCredit,
    RecordAnswer,
    SettleCompletionCredit,
    StartProjectConversation,
    StartVideoConversation,
)
from visionscope.features.conversations.context import video_subjects
from visionscope.features.conversations.events import ConversationStarted, ProjectSearched, QuestionAnswered
from visionscope.features.conversations.models import Conversation, ConversationMessage, MessageCitation
from visionscope.features.conversations.queries import (
    AnswerContext,
    GetAnswerContext,
    GetConversation,
    GetProjectSubjects,
    GetVideoSubjects,
    ListProjectConversations,
    ListVideoConversations,
    Page,
    Subjects,
)
from visionscope.features.conversations.reads import citations_of, conversation_read, message_read
from visionscope.features.conversations.schemas import ConversationRead, MessageRead
from visionscope.features.workspaces.public import workspace_of_project

TITLE_CHARS = 200


def _start(
    uow: UnitOfWork,
    *,
    workspace_id: uuid.UUID,
    project_id: uuid.UUID,
    video_id: uuid.UUID | None,
    started_by: uuid.UUID | None,
    now: datetime,
) -> ConversationRead:
    conversation = Conversation(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        project_id=project_id,
        video_id=video_id,
        started_by=started_by,
        title=None,
        message_count=0,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(conversation)
    conversation.record(
        ConversationStarted(
            workspace_id=workspace_id,
            project_id=project_id,
            conversation_id=conversation.id,
            video_id=video_id,
        )
    )
    return conversation_read(conversation, [])


async def start_video_conversation(
    cmd: StartVideoConversation, *, uow: UnitOfWork, storage: Storage, clock: Clock
) -> ConversationRead:
    """A conversation about an analysed video: 409 with its status before that, 404 once deleted."""
    subjects = await video_subjects(uow, storage, cmd.video_id)
    return _start(
        uow,
        workspace_id=subjects.workspace_id,
        project_id=subjects.project_id,
        video_id=cmd.video_id,
        started_by=cmd.started_by,
        now=clock(),
    )


async def start_project_conversation(
    cmd: StartProjectConversation, *, uow: UnitOfWork, clock: Clock
) -> ConversationRead:
    workspace_id = await workspace_of_project(uow.session, cmd.project_id)
    if workspace_id is None:
        raise NotFound(f"No project with id {cmd.project_id}.")
    return _start(
        uow,
        workspace_id=workspace_id,
        project_id=cmd.project_id,
        video_id=None,
        started_by=cmd.started_by,
        now=clock(),
    )


async def _answered(uow: UnitOfWork, conversation_id: uuid.UUID, key: str) -> MessageRead | None:
    found = await uow.session.scalar(
        select(ConversationMessage).where(
            ConversationMessage.conversation_id == conversation_id, ConversationMessage.idempotency_key == key
        )
    )
    if found is None:
        return None
    return message_read(found, (await citations_of(uow.session, [found.id])).get(found.id, []))


async def _store_exchange(
    uow: UnitOfWork, conversation: Conversation, cmd: RecordAnswer, answer_id: uuid.UUID, now: datetime
) -> None:
    """The question and the answer as the conversation's next two messages, and the answer's citations."""
    position, answer = conversation.message_count, cmd.answer
    question = ConversationMessage(
        id=uuid.uuid4(),
        conversation_id=conversation.id,
        position=position,
        role="user",
        content=cmd.question,
        author_id=cmd.author_id,
        created_at=now,
        updated_at=now,
    )
    reply = ConversationMessage(
        id=answer_id,
        conversation_id=conversation.id,
        position=position + 1,
        role="assistant",
        content=answer.content,
        grounded=answer.grounded,
        engine=answer.engine,
        memory=answer.memory,
        idempotency_key=cmd.idempotency_key,
        created_at=now,
        updated_at=now,
    )
    uow.session.add_all([question, reply])
    await uow.flush()
    uow.session.add_all(
        MessageCitation(
            message_id=answer_id,
            position=n,
            video_id=c.video_id,
            start=c.start,
            end=c.end,
            source=c.source,
            quote=c.quote,
        )
        for n, c in enumerate(answer.citations)
    )


async def record_answer(cmd: RecordAnswer, *, uow: UnitOfWork, clock: Clock) -> MessageRead:
    """Charge one chat_message, then store the question, the answer and its citations.

    Refused for lack of credits (402), nothing is stored. The same idempotency key again returns
    the first answer, charged once."""
    conversation = await uow.session.get(Conversation, cmd.conversation_id, with_for_update=True)
    if conversation is None:
        raise NotFound(f"No conversation with id {cmd.conversation_id}.")
    if cmd.hold_key:  # the credit held while a streamed answer was written gives way to its charge
        await release_credits(uow, conversation.workspace_id, cmd.hold_key, now=clock())
    key = cmd.idempotency_key
    if key and (earlier := await _answered(uow, conversation.id, key)) is not None:
        return earlier
    now = clock()
    answer_id = uuid.uuid4()
    await charge_credits(
        uow,
        Metered(
            workspace_id=conversation.workspace_id,
            feature=CHAT,
            quantity=1,
            idempotency_key=f"{CHAT}:{conversation.id}:{key}" if key else f"{CHAT}:{answer_id}",
            operation=f"conversation:{conversation.id}",
            user_id=cmd.author_id,
            project_id=conversation.project_id,
        ),
        now=now,
    )
    if key and (earlier := await _answered(uow, conversation.id, key)) is not None:
        return earlier  # a concurrent request with the key won; its charge was the one
    await _store_exchange(uow, conversation, cmd, answer_id, now)
    conversation.message_count += 2
    conversation.title = conversation.title or " ".join(cmd.question.split())[:TITLE_CHARS]
    conversation.updated_at = now
    conversation.record(
        QuestionAnswered(
            workspace_id=conversation.workspace_id,
            project_id=conversation.project_id,
            conversation_id=conversation.id,
            message_id=answer_id,
            grounded=cmd.answer.grounded,
            engine=cmd.answer.engine,
            citations=len(cmd.answer.citations),
        )
    )
    await uow.flush()
    found = await uow.session.get(ConversationMessage, answer_id)
    assert found is not None
    return message_read(found, (await citations_of(uow.session, [answer_id])).get(answer_id, []))


async def charge_completion(cmd: ChargeCompletion, *, uow: UnitOfWork, clock: Clock) -> None:
    key = cmd.idempotency_key
    await charge_credits(
        uow,
        Metered(
            workspace_id=cmd.workspace_id,
            feature=CHAT,
            quantity=1,
            idempotency_key=f"{CHAT}:completion:{key}" if key else f"{CHAT}:{uuid.uuid4()}",
            operation="chat_completion",
            user_id=cmd.user_id,
            project_id=cmd.project_id,
        ),
        now=clock(),
    )
    uow.record(
        QuestionAnswered(
            workspace_id=cmd.workspace_id,
            project_id=cmd.project_id,
            conversation_id=None,
            message_id=None,
            grounded=cmd.grounded,
            engine=cmd.engine,
            citations=cmd.citations,
        )
    )


async def charge_search(cmd: ChargeSearch, *, uow: UnitOfWork, clock: Clock) -> None:
    workspace_id = await workspace_of_project(uow.session, cmd.project_id)
    if workspace_id is None:
        raise NotFound(f"No project with id {cmd.project_id}.")
    key = cmd.idempotency_key
    operation = f"search:{cmd.project_id}" + (f":{cmd.digest}" if cmd.digest else "")
    now = clock()
    usage = await charge_credits(
        uow,
        Metered(
            workspace_id=workspace_id,
            feature=SEARCH,
            quantity=1,
            idempotency_key=f"{SEARCH}:{cmd.project_id}:{key}" if key else f"{SEARCH}:{uuid.uuid4()}",
            operation=operation,
            user_id=cmd.user_id,
            project_id=cmd.project_id,
        ),
        now=now,
    )
    if usage.operation != operation:
        raise Conflict("This idempotency key was already used for a different request.", idempotency_key=key)
    if usage.created_at == now:  # charged by this request, not found from an earlier one with the key
        uow.record(ProjectSearched(workspace_id=workspace_id, project_id=cmd.project_id, results=cmd.results))


async def hold_completion_credit(cmd: HoldCompletionCredit, *, uow: UnitOfWork, clock: Clock) -> CreditHold:
    return await completion_credits.hold(uow, cmd, clock())


async def settle_completion_credit(cmd: SettleCompletionCredit, *, uow: UnitOfWork, clock: Clock) -> None:
    await completion_credits.settle(uow, cmd, clock())


async def get_conversation(query: GetConversation, *, uow: UnitOfWork) -> ConversationRead:
    return await reads.conversation(uow.session, query.conversation_id)


async def list_project_conversations(query: ListProjectConversations, *, uow: UnitOfWork) -> Page:
    where = Conversation.project_id == query.project_id
    return await reads.page(uow.session, where, query.limit, query.cursor)


async def list_video_conversations(query: ListVideoConversations, *, uow: UnitOfWork) -> Page:
    return await reads.page(uow.session, Conversation.video_id == query.video_id, query.limit, query.cursor)


async def get_answer_context(query: GetAnswerContext, *, uow: UnitOfWork, storage: Storage) -> AnswerContext:
    return await context.answer_context(uow, storage, query)


async def get_video_subjects(query: GetVideoSubjects, *, uow: UnitOfWork, storage: Storage) -> Subjects:
    return await context.paid_video_subjects(uow, storage, query.video_id, query.feature)


async def get_project_subjects(query: GetProjectSubjects, *, uow: UnitOfWork, storage: Storage) -> Subjects:
    return await context.paid_project_subjects(uow, storage, query.project_id, query.feature)
