"""The FastAPI application: routers, error handlers, middleware and the lifespan."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator

from fastapi import FastAPI

from visionscope import __version__
from visionscope.api_document import describe
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.middleware import RequestMiddleware
from visionscope.building_blocks.problems import install_problem_handlers
from visionscope.building_blocks.rate_limits import MemoryAttempts, RedisAttempts, Throttle
from visionscope.building_blocks.read_your_writes import ReadYourWrites
from visionscope.config import Settings
from visionscope.features.analytics.api import router as analytics_router
from visionscope.features.billing.api import router as billing_router
from visionscope.features.conversations.api import router as conversations_router
from visionscope.features.conversations.completions_api import router as completions_router
from visionscope.features.identity.api import router as identity_router
from visionscope.features.identity.security import set_hash_threads
from visionscope.features.identity.throttling import SignInThrottle
from visionscope.features.notifications.api import router as notifications_router
from visionscope.features.videos.api import router as videos_router
from visionscope.features.workspaces.api import router as workspaces_router
from visionscope.operations import router as operations_router
from visionscope.runtime import EmbeddedRuntime
from visionscope.web.routes import router as web_router


def create_app(settings: Settings, container: Container | None = None, *, embedded: bool = False) -> FastAPI:
    """Build the app. ``embedded`` also runs the relay, a worker and the scheduler in this process."""
    built = container or build_container(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = EmbeddedRuntime(built) if embedded else None
        if runtime is not None:
            await runtime.start()
        app.state.runtime = runtime
        try:
            yield
        finally:
            if runtime is not None:
                await runtime.stop()
            if container is None:
                await built.dispose()

    app = FastAPI(
        title="VisionScope",
        version=__version__,
        description="Upload videos, let VisionScope analyse them on CPUs, then ask them questions.",
        lifespan=lifespan,
    )
    app.state.container = built
    app.state.mediator = built.mediator
    app.state.authenticator = built.authenticator
    set_hash_threads(settings.password_hash_threads)
    attempts = RedisAttempts(built.redis) if built.redis is not None else MemoryAttempts()
    throttle = Throttle(attempts, max_delay=settings.throttle_max_delay_seconds)
    app.state.sign_in_throttle = SignInThrottle.from_settings(throttle, settings)
    app.state.csrf_key = hmac.new(settings.token_secret().encode(), b"csrf tokens", hashlib.sha256).digest()
    app.state.session_user = built.authenticator.user_of_access_token
    install_problem_handlers(app)
    app.openapi = lambda: describe(app)  # type: ignore[method-assign]
    if built.recent_writers is not None:
        app.add_middleware(ReadYourWrites, writers=built.recent_writers)
    app.add_middleware(RequestMiddleware, metrics=built.metrics, max_body=settings.max_json_body_bytes)
    for router in (operations_router, identity_router, workspaces_router, billing_router, analytics_router):
        app.include_router(router)
    app.include_router(notifications_router)
    app.include_router(videos_router)
    app.include_router(conversations_router)
    app.include_router(completions_router)
    app.include_router(web_router)
    return app
