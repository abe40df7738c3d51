"""The composition root: builds engines, the mediator, the event tables and the transports."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from visionscope.building_blocks.behaviors import Authorization, LoggingAndMetrics, Transaction, Validation
from visionscope.building_blocks.caching import (
    CATALOG,
    CacheStore,
    Caching,
    Invalidation,
    MemoryCache,
    RedisCache,
)
from visionscope.building_blocks.consumers import AnySubscription, Consumer, Subscriptions
from visionscope.building_blocks.db import create_engine, session_factory
from visionscope.building_blocks.mediator import Handler, Mediator
from visionscope.building_blocks.messages import Event, ScopeKind
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.outbox import EventTypes
from visionscope.building_blocks.rate_limits import MemoryCounter, RateLimit, RedisCounter
from visionscope.building_blocks.read_your_writes import (
    BackgroundChanges,
    RecentWriters,
    RoutedReads,
    SeesBackgroundChanges,
)
from visionscope.building_blocks.relay import Publisher, Relay
from visionscope.building_blocks.storage import LocalStorage, Storage
from visionscope.building_blocks.transport import RetryPolicy
from visionscope.building_blocks.uow import AfterCommit
from visionscope.clock import utc_clock
from visionscope.config import Settings
from visionscope.dependencies import HandlerDeps
from visionscope.features.analytics import wiring as analytics
from visionscope.features.billing import events as billing_events
from visionscope.features.billing import wiring as billing
from visionscope.features.billing.public import TierKeys
from visionscope.features.conversations import events as conversation_events
from visionscope.features.conversations import public as conversations_public
from visionscope.features.conversations import wiring as conversations
from visionscope.features.identity import events as identity_events
from visionscope.features.identity import wiring as identity
from visionscope.features.identity.public import Authenticator, TokenIssuer
from visionscope.features.notifications import events as notification_events
from visionscope.features.notifications import wiring as notifications
from visionscope.features.videos import events as video_events
from visionscope.features.videos import public as videos_public
from visionscope.features.videos import wiring as videos
from visionscope.features.workspaces import events as workspace_events
from visionscope.features.workspaces import public as workspaces_public
from visionscope.features.workspaces import wiring as workspaces

log = logging.getLogger("visionscope")

FEATURES = (identity, workspaces, billing, analytics, notifications, videos, conversations)
ALL_EVENTS: tuple[type[Event], ...] = (
    *identity_events.EVENTS,
    *workspace_events.EVENTS,
    *billing_events.EVENTS,
    *notification_events.EVENTS,
    *video_events.EVENTS,
    *conversation_events.EVENTS,
)


@dataclass
class Container:
    """Everything one process needs, built from settings; nothing is built at import time."""

    settings: Settings
    engine: AsyncEngine
    read_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    metrics: Metrics
    mediator: Mediator
    subscriptions: Subscriptions
    event_types: EventTypes
    consumer: Consumer
    authenticator: Authenticator
    retry_policy: RetryPolicy
    deps: HandlerDeps
    storage: Storage
    redis: Any = None
    cache: CacheStore = field(default_factory=MemoryCache)
    recent_writers: RecentWriters | None = None  # with a read replica: who and what changed lately
    outbox_wake: asyncio.Event = field(default_factory=asyncio.Event)

    def relay(self, publisher: Publisher) -> Relay:
        return Relay(
            self.sessions,
            publisher,
            self.subscriptions,
            self.metrics,
            self.settings.outbox_batch_size,
            self.settings.outbox_linger_seconds,
        )

    async def dispose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    table: dict[type, Handler] = {}
    for feature in FEATURES:
        for message_type, handler in feature.message_handlers(c).items():
            if message_type in table:
                raise ValueError(f"{message_type.__name__} has two handlers")
            table[message_type] = handler
    return table


def event_subscriptions(c: HandlerDeps, mediator: Mediator) -> list[AnySubscription]:
    return [
        *videos.event_subscriptions(c, mediator),
        *identity.event_subscriptions(c),
        *workspaces.event_subscriptions(c),
        *billing.event_subscriptions(c),
        *notifications.event_subscriptions(c),
        *conversations.event_subscriptions(c),
        *analytics.event_subscriptions(c, mediator, ALL_EVENTS),
    ]


def redis_client(settings: Settings) -> Any:
    """Redis for caches and rate limits, when configured (the broker's server if no other is given)."""
    url = settings.redis_url or settings.broker_url
    return aioredis.from_url(url) if url else None


def after_each_commit(*hooks: AfterCommit) -> AfterCommit:
    """One after-commit hook that runs ``hooks`` in turn (each handles its own failures)."""

    async def run(events: Sequence[Event]) -> None:
        for hook in hooks:
            await hook(events)

    return run


def build_container(settings: Settings, *, clock: Any = utc_clock) -> Container:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database)
    read_engine = create_engine(settings.read_database, readonly=True)
    sessions = session_factory(engine)
    # With a replica, only requests of clients that wrote nothing lately read it (see ReadYourWrites).
    read_sessions = (
        RoutedReads(read_engine, engine) if settings.read_database_url else session_factory(read_engine)
    )
    metrics = Metrics()
    wake = asyncio.Event()
    redis = redis_client(settings)
    cache: CacheStore = RedisCache(redis) if redis is not None else MemoryCache()
    invalidation = Invalidation(
        cache, metrics, {event: (CATALOG,) for event in billing_events.CATALOG_EVENTS}
    )
    recent_writers = (
        RecentWriters(redis, settings.read_your_writes_seconds) if settings.read_database_url else None
    )
    after_commit = (
        invalidation
        if recent_writers is None
        else after_each_commit(invalidation, BackgroundChanges(recent_writers))
    )
    issuer = TokenIssuer(settings.token_secret(), timedelta(minutes=settings.access_token_minutes))
    storage = LocalStorage(settings.storage_dir)
    deps = HandlerDeps(
        settings=settings,
        clock=clock,
        issuer=issuer,
        refresh_ttl=timedelta(days=settings.refresh_token_days),
        storage=storage,
    )
    resolvers = {
        ScopeKind.WORKSPACE: workspaces_public.live_workspace,
        ScopeKind.PROJECT: workspaces_public.workspace_of_project,
        ScopeKind.VIDEO: videos_public.workspace_of_video,
        ScopeKind.CONVERSATION: conversations_public.workspace_of_conversation,
    }
    mediator = Mediator(
        message_handlers(deps),
        [
            LoggingAndMetrics(metrics),
            Authorization(
                read_sessions,
                resolvers,
                workspaces_public.role_of,
                on_allowed=None if recent_writers is None else SeesBackgroundChanges(recent_writers),
            ),
            RateLimit(
                RedisCounter(redis) if redis is not None else MemoryCounter(),
                settings.rate_limits,
                TierKeys(read_sessions, clock),
                window_seconds=settings.rate_limit_window_seconds,
            ),
            Validation(),
            Caching(cache, metrics),
            Transaction(sessions, read_sessions, on_events_committed=wake.set, after_commit=after_commit),
        ],
    )
    subscriptions = Subscriptions(event_subscriptions(deps, mediator))
    event_types = EventTypes(ALL_EVENTS)
    consumer = Consumer(
        sessions, subscriptions, event_types, on_events_committed=wake.set, after_commit=after_commit
    )
    authenticator = Authenticator(sessions, read_sessions, issuer, workspaces_public.membership, clock)
    policy = RetryPolicy(
        max_failures=settings.consumer_max_failures, base_delay=settings.consumer_retry_base_seconds
    )
    return Container(
        settings=settings,
        engine=engine,
        read_engine=read_engine,
        sessions=sessions,
        read_sessions=read_sessions,
        metrics=metrics,
        mediator=mediator,
        subscriptions=subscriptions,
        event_types=event_types,
        consumer=consumer,
        authenticator=authenticator,
        retry_policy=policy,
        deps=deps,
        storage=storage,
        redis=redis,
        cache=cache,
        recent_writers=recent_writers,
        outbox_wake=wake,
    )
