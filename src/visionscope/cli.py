"""The ``visionscope`` command."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
import uvicorn
from sqlalchemy import select

from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.consumers import QUEUES, take_for_replay
from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.outbox import DeadMessage
from visionscope.building_blocks.transport import CeleryPublisher
from visionscope.config import Settings
from visionscope.features.billing.catalog import read_catalog
from visionscope.features.billing.commands import LoadCatalog
from visionscope.logs import configure_logging
from visionscope.migrate import pending_migrations, upgrade

T = TypeVar("T")


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    return settings


def _with_container(settings: Settings, work: Callable[[Container], Awaitable[T]]) -> T:
    """Run ``work`` with a container on a fresh event loop, then close the container."""

    async def run() -> T:
        container = build_container(settings)
        try:
            return await work(container)
        finally:
            await container.dispose()

    return asyncio.run(run())


@click.group()
def main() -> None:
    """VisionScope: upload videos, analyse them on CPUs, ask them questions."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (VISIONSCOPE_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (VISIONSCOPE_PORT, PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Everything in one process on embedded defaults: api, relay, worker and scheduler."""
    _run_api(host, port, embedded=True)


@main.command()
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
def api(host: str | None, port: int | None) -> None:
    """The HTTP API alone (distributed form: run relay and workers beside it)."""
    _run_api(host, port, embedded=False)


def _require_models(settings: Settings) -> None:
    """A process that analyses videos checks its models before it starts, not in the middle of a job."""
    from visionscope.analysis import ModelMissing, check_models

    try:
        check_models(settings.model_dir, whisper_override=settings.whisper_model_dir)
    except ModelMissing as err:
        raise click.ClickException(f"cannot analyse videos: {err.what}. {err.hint}") from None


def _require_schema(settings: Settings) -> None:
    """The api starts on an up-to-date database, or says how to make it one."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if pending_migrations(settings.database):
        raise click.ClickException(
            "the database is not set up or not up to date: run `visionscope migrate` first "
            "(and `visionscope catalog load` on a new database)"
        )


def _run_api(host: str | None, port: int | None, *, embedded: bool) -> None:
    from visionscope.app import create_app

    settings = _settings()
    bind_host, bind_port = host or settings.host, port or settings.port
    _require_schema(settings)
    if embedded:
        _require_models(settings)
    app = create_app(settings, embedded=embedded)
    url = f"http://{bind_host}:{bind_port}"
    click.echo(f"VisionScope is running at {url}  (API docs: {url}/docs)")
    click.echo(f"Sign up in a browser at {url}/signup, then sign in at {url}/signin. From a script:")
    click.echo(
        f"Create an account:  curl -X POST {url}/v1/auth/register -H 'Content-Type: application/json' "
        '-d \'{"email": "you@example.com", "password": "a long password", "name": "You"}\''
    )
    click.echo(
        f"Sign in:            curl -X POST {url}/v1/auth/token -d 'username=you@example.com' "
        "-d 'password=a long password'"
    )
    uvicorn.run(app, host=bind_host, port=bind_port, log_config=None, proxy_headers=True, access_log=False)


@main.command()
@click.option("-Q", "--queues", default=",".join(QUEUES), help="Comma-separated queues to consume.")
@click.option("--concurrency", default=None, type=int, help="Worker processes (default: CPU count).")
def worker(queues: str, concurrency: int | None) -> None:
    """A Celery worker consuming events from the given queues."""
    from visionscope.worker import create_celery

    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = set(wanted) - set(QUEUES)
    if unknown:
        raise click.BadParameter(f"unknown queues: {', '.join(sorted(unknown))}; known: {', '.join(QUEUES)}")
    settings = _settings()
    if "video_processing" in wanted:
        _require_models(settings)
    celery = create_celery(settings)
    argv = ["worker", "-Q", ",".join(wanted), "--loglevel", "INFO", "-E"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    celery.worker_main(argv)


@main.command()
def beat() -> None:
    """The scheduler of the distributed form (outbox sweep and purge, renewals, expiries)."""
    from visionscope.worker import create_celery

    settings = _settings()
    celery = create_celery(settings)
    # Beat remembers when each job last ran in a file of its own: kept with the data, not wherever
    # the command happens to be started.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    schedule = settings.data_dir / "beat-schedule"
    celery.start(["beat", "--loglevel", "INFO", "--schedule", str(schedule)])


@main.command()
def relay() -> None:
    """Move committed outbox events to the broker; several relays may run at once."""
    from visionscope.runtime import run_relay
    from visionscope.worker import create_celery

    settings = _settings()
    celery_app = create_celery(settings)

    async def run(container: Container) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_relay(container, celery_app, stop)

    _with_container(settings, run)


@main.command()
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the results as JSON (default: VIDEO.analysis.json).",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep stage outputs (keyframes, index) here; a second run resumes from them.",
)
@click.option(
    "--subtitles",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A .srt or .vtt file to use instead of speech recognition.",
)
@click.option("--no-speech", is_flag=True, help="Skip speech recognition.")
@click.option("--no-text", is_flag=True, help="Skip on-screen text recognition.")
def analyze(
    video: Path,
    output: Path | None,
    work_dir: Path | None,
    subtitles: Path | None,
    no_speech: bool,
    no_text: bool,
) -> None:
    """Analyse a video file on this machine, without a server, and write the results as JSON."""
    import tempfile

    from visionscope.analysis import (
        AnalysisError,
        AnalysisOptions,
        check_models,
        run_pipeline,
    )

    settings = _settings()
    try:
        models = check_models(
            settings.model_dir,
            whisper_override=settings.whisper_model_dir,
            speech=not no_speech,
            text=not no_text,
        )
        options = AnalysisOptions(models=models, speech=not no_speech, text=not no_text)
        work = work_dir or Path(tempfile.mkdtemp(prefix="visionscope-analysis-"))

        def progress(stage: str, fraction: float, eta: float | None) -> None:
            filled = int(fraction * 30)
            left = f" ~{eta:.0f}s left" if eta is not None else ""
            bar = "#" * filled + "." * (30 - filled)
            click.echo(f"\r{stage:<9} [{bar}] {fraction:4.0%}{left}   ", nl=False, err=True)

        result = run_pipeline(video, work, options=options, on_progress=progress, subtitles_path=subtitles)
        click.echo("", err=True)
    except AnalysisError as err:
        raise click.ClickException(str(err)) from None
    target = output or video.with_name(video.name + ".analysis.json")
    target.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    scenes, stages = (
        len(result.scan.scenes),
        ", ".join(f"{k} {v.seconds:.1f}s" for k, v in result.stages.items()),
    )
    click.echo(f"{scenes} scenes, {result.info.duration:.1f} s of video; {stages}")
    click.echo(f"results written to {target}; stage outputs in {work}")


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database)
    click.echo("database is up to date")


@main.group()
def catalog() -> None:
    """The pricing catalog."""


@catalog.command("load")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A catalog file; the packaged catalog when omitted.",
)
def catalog_load(path: Path | None) -> None:
    """Load the catalog file into the database, applying what changed."""
    settings = _settings()
    data = read_catalog(path).model_dump()

    async def run(container: Container) -> dict[str, int]:
        return await container.mediator.send(LoadCatalog(catalog=data), Context(system=True))

    changed = _with_container(settings, run)
    click.echo(f"catalog version {data['version']} loaded: {json.dumps(changed)}")


@main.group()
def outbox() -> None:
    """Events that could not be handled."""


@outbox.command("dead")
def outbox_dead() -> None:
    """List events parked after repeated handler failure."""

    async def run(container: Container) -> list[DeadMessage]:
        async with container.read_sessions() as session:
            rows = await session.scalars(
                select(DeadMessage).where(DeadMessage.replayed_at.is_(None)).order_by(DeadMessage.failed_at)
            )
            return list(rows)

    rows = _with_container(_settings(), run)
    for row in rows:
        click.echo(
            f"{row.id}  {row.failed_at:%Y-%m-%d %H:%M:%S}  {row.queue:<16} {row.event_type:<24} "
            f"{row.consumer}  after {row.attempts} attempts: {row.error[:200]}"
        )
    if not rows:
        click.echo("no dead messages")


@outbox.command("replay")
@click.argument("dead_id", type=click.UUID)
def outbox_replay(dead_id: uuid.UUID) -> None:
    """Publish a dead event again to its queue."""
    settings = _settings()

    async def run(container: Container) -> bool:
        taken = await take_for_replay(container.sessions, dead_id)
        if taken is None:
            return False
        envelope, queue = taken
        if settings.embedded_transport:
            # Embedded mode has no broker to publish to: handle it here and now.
            await container.consumer.consume(envelope, queue)
        else:
            from visionscope.worker import create_celery

            await CeleryPublisher(create_celery(settings)).publish([(envelope, queue)])
        return True

    if not _with_container(settings, run):
        click.echo(f"no dead message {dead_id} waiting for replay", err=True)
        sys.exit(1)
    click.echo(f"replayed {dead_id}")
