"""Conversations' handler table, and the answer engine built from settings."""

from __future__ import annotations

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.wiring import bind
from visionscope.config import Settings
from visionscope.dependencies import HandlerDeps
from visionscope.features.conversations import commands, handlers, queries
from visionscope.features.conversations.answers.embedder import EmbedderSource
from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.features.conversations.answers.knowledge import KnowledgeCache
from visionscope.language_model.choice import answer_writer


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    clock = {"clock": c.clock}
    return {
        commands.StartVideoConversation: bind(handlers.start_video_conversation, storage=c.storage, **clock),
        commands.StartProjectConversation: bind(handlers.start_project_conversation, **clock),
        commands.RecordAnswer: bind(handlers.record_answer, **clock),
        commands.ChargeCompletion: bind(handlers.charge_completion, **clock),
        commands.ChargeSearch: bind(handlers.charge_search, **clock),
        commands.HoldCompletionCredit: bind(handlers.hold_completion_credit, **clock),
        commands.SettleCompletionCredit: bind(handlers.settle_completion_credit, **clock),
        queries.GetConversation: bind(handlers.get_conversation),
        queries.ListProjectConversations: bind(handlers.list_project_conversations),
        queries.ListVideoConversations: bind(handlers.list_video_conversations),
        queries.GetAnswerContext: bind(handlers.get_answer_context, storage=c.storage),
        queries.GetVideoSubjects: bind(handlers.get_video_subjects, storage=c.storage),
        queries.GetProjectSubjects: bind(handlers.get_project_subjects, storage=c.storage),
    }


def event_subscriptions(c: HandlerDeps) -> list[Subscription]:
    return []


def answer_engine(settings: Settings) -> AnswerEngine:
    """One engine per process: the embedder, loaded videos and the language model are shared."""
    embedder = EmbedderSource(settings.model_dir)
    return AnswerEngine(KnowledgeCache(embedder), embedder, answer_writer(settings))
