"""Benchmark of answers: 500 questions on the index of a 20-minute video, through HTTP, with the
built-in engine alone, then a sample with the language model.

    python bench/answers.py [--questions 500] [--clients 4] [--keep DIR]
                            [--model qwen2.5-1.5b|qwen2.5-0.5b|off] [--model-questions 40] [--parts 8]

Makes a 20-minute video by joining eight 150-second videos made from generated specs (the test-video
generator ``tests/media/generate.py``, then ffmpeg's concat demuxer, no re-encoding), starts
``visionscope serve`` on 127.0.0.1 with a scratch data directory (SQLite, the embedded runtime),
uploads the video and waits for its analysis (once), then asks questions of every form the built-in
engine knows (when, what is said, what is on screen at a time, how many, how long, colours, summary,
chapters, before and after, and questions the video cannot answer), one new conversation every 20
questions.

Measured in the same run: the latency of each answer and of a ``GET /healthz`` sent right after it
(p50 and p99 of both, and their ratios), questions per second one at a time, and questions per
second with ``--clients`` concurrent clients; then, streamed (``?stream=true``), the time to the first
piece of text and to the whole answer (p50, p95) of the built-in engine. Then the server is started
again with ``--model`` and ``--model-questions`` questions in people's own words (which the model
answers) and of the structural forms (which stay with the built-in engine) are streamed: time to
first text and whole answer, p50 and p95, for each path, and how many each engine answered.
``--keep DIR`` keeps the video (and the models) in DIR so that a second run starts at once; ``--parts``
makes a shorter video (150 seconds a part). Rate limits are lifted for the run: this measures answering.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.media import generate  # noqa: E402 (the repository's own test-video generator)

PARTS, SCENES_PER_PART, SCENE_SECONDS = 8, 20, 7.5
PASSWORD = "a long bench password"  # noqa: S105 (a throwaway account in a scratch data directory)


def words(text: str) -> list[str]:
    return text.split()


SOURCES = ["color=c=0x1f3a93", "testsrc2", "color=c=0x8b1a1a", "smptehdbars", "color=c=0x1e6b34", "testsrc"]
CITIES = words("Denver Boston Lisbon Madrid Oslo Dublin Prague Vienna Austin Seattle Porto Lyon")
THINGS = words("warehouse office factory store depot studio garage clinic library school bakery hotel")
ITEMS = words("bicycles printers trucks laptops phones tablets cameras chairs lamps boxes tickets pallets")
VERBS = words("open close move expand reopen upgrade")
MONTHS = words("January February March April May June July August September October November December")
NUMBER_WORDS = words("twenty thirty forty fifty sixty seventy eighty ninety")


def scene_rows(part: int) -> list[dict[str, str]]:
    """The scenes of one part: a title, a line and a sentence each, all different across parts."""
    rng = random.Random(part)
    rows = []
    for n in range(SCENES_PER_PART):
        city, thing, item = rng.choice(CITIES), rng.choice(THINGS), rng.choice(ITEMS)
        verb, month, count = rng.choice(VERBS), rng.choice(MONTHS), rng.choice(NUMBER_WORDS)
        code = f"{part}{n:02d}"
        rows.append(
            {
                "source": SOURCES[(part + n) % len(SOURCES)],
                "title": f"{city} {thing.title()} {code}",
                "line": f"{count.title()} {item.title()} In {month}",
                "said": f"The {thing} number {code} in {city} will {verb} in {month} with {count} {item}.",
                "city": city,
                "thing": thing,
                "item": item,
                "count": count,
                "code": code,
            }
        )
    return rows


def make_video(work: Path, parts: int) -> Path:
    """The video (150 seconds a part: 20 minutes with 8), made once into `work`."""
    final = work / ("answers-bench.mp4" if parts == PARTS else f"answers-bench-{parts}.mp4")
    if final.is_file():
        return final
    listing = work / f"parts{parts}.txt"
    lines = []
    for part in range(parts):
        spec = work / f"part{part}.spec"
        spec.write_text(
            "\n".join(
                f"{SCENE_SECONDS}|{r['source']}||{r['title']}|{r['line']}|{(part + n) % 2}|{r['said']}"
                for n, r in enumerate(scene_rows(part))
            )
            + "\n"
        )
        if not (work / f"part{part}.mp4").is_file():
            print(f"making part {part + 1} of {parts}", flush=True)
            generate.make_video(spec, work, f"part{part}", width=640, height=360, fps=25)
        lines.append(f"file '{work / f'part{part}.mp4'}'")
    listing.write_text("\n".join(lines) + "\n")
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(final),
        ],
        check=True,
    )
    return final


def questions(count: int, parts: int) -> list[str]:
    """Questions of every form, about content the video has and some it has not."""
    rng = random.Random(7)
    rows = [r for part in range(parts) for r in scene_rows(part)]
    duration = parts * SCENES_PER_PART * SCENE_SECONDS
    forms = [
        lambda r: f"When is the {r['thing']} number {r['code']} mentioned?",
        lambda r: f"What is said about the {r['city']} {r['thing']} {r['code']}?",
        lambda r: f"How many {r['item']} will the {r['thing']} {r['code']} have?",
        lambda r: f"When does the {r['thing']} {r['code']} in {r['city']} {rng.choice(VERBS)}?",
        lambda r: f"What comes right after the {r['thing']} {r['code']}?",
        lambda r: f"What is shown before the {r['city']} {r['thing']} {r['code']}?",
        lambda r: f"What text is on screen at {int(t := rng.uniform(0, duration)) // 60}:{int(t) % 60:02d}?",
        lambda r: f"What is said at {rng.randint(1, int(duration) - 1)} seconds?",
        lambda r: f"What is the dominant colour of scene {rng.randint(1, parts * SCENES_PER_PART)}?",
        lambda r: "How many scenes are in the video?",
        lambda r: "How long is the video?",
        lambda r: "Summarise the video",
        lambda r: "What are the chapters?",
        lambda r: f"Does anyone mention a {rng.choice(['volcano', 'submarine', 'giraffe', 'helicopter'])}?",
        lambda r: f"What is the name of the {r['city']} {r['thing']}'s manager?",
        lambda r: "¿Cuándo se menciona el almacén?",
    ]
    return [forms[i % len(forms)](rng.choice(rows)) for i in range(count)]


def model_questions(count: int, parts: int) -> list[str]:
    """Questions in other words than the video's (the model's path), and structural ones."""
    rng = random.Random(11)
    rows = [r for part in range(parts) for r in scene_rows(part)]
    forms = [
        lambda r: f"What is happening with the {r['thing']} {r['code']} in {r['city']}?",
        lambda r: f"In which month is the {r['city']} {r['thing']} {r['code']} going to change?",
        lambda r: f"What will the {r['thing']} {r['code']} get, and how many?",
        lambda r: f"Which city is the {r['thing']} {r['code']} in?",
        lambda r: f"Is the {r['city']} {r['thing']} {r['code']} getting {rng.choice(['pianos', 'goats'])}?",
        lambda r: f"What is shown at {rng.randint(0, parts * 150 - 1)} seconds?",
        lambda r: "How many scenes are in the video?",
    ]
    return [forms[i % len(forms)](rng.choice(rows)) for i in range(count)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Server:
    """`visionscope serve` on a free port with the given environment, stopped on exit."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        cli = [sys.executable, "-m", "visionscope", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients of the throughput run")
    parser.add_argument("--keep", type=Path, help="keep the video and the models here between runs")
    parser.add_argument("--parts", type=int, default=PARTS, help="150-second parts of the video")
    parser.add_argument("--model", default="qwen2.5-1.5b", choices=["qwen2.5-1.5b", "qwen2.5-0.5b", "off"])
    parser.add_argument("--model-questions", type=int, default=40)
    args = parser.parse_args()
    keep = args.keep or Path(tempfile.mkdtemp(prefix="answers-bench-"))
    keep.mkdir(parents=True, exist_ok=True)
    video = make_video(keep, args.parts)
    data = Path(tempfile.mkdtemp(prefix="answers-bench-data-"))
    env = {
        **os.environ,
        "VISIONSCOPE_DATA_DIR": str(data),
        "VISIONSCOPE_MODELS_DIR": str(keep / "models"),
        "VISIONSCOPE_LOG_LEVEL": "WARNING",
        "VISIONSCOPE_ACCESS_TOKEN_MINUTES": "600",
        "VISIONSCOPE_RATE_LIMITS": json.dumps({"free": 10**9, "pro": 10**9, "enterprise": 10**9}),
    }
    cli = [sys.executable, "-m", "visionscope"]
    subprocess.run([*cli, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*cli, "catalog", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
    with Server({**env, "VISIONSCOPE_LANGUAGE_MODEL": "off"}) as server:
        session = asyncio.run(run(server.base, video, args.questions, args.clients, args.parts))
    if args.model != "off":
        with Server({**env, "VISIONSCOPE_LANGUAGE_MODEL": args.model}) as server:
            asked = model_questions(args.model_questions, args.parts)
            asyncio.run(run_model(server.base, session, asked, args.model))


@dataclass(frozen=True)
class Session:
    token: str
    video_id: str


async def up(http: httpx.AsyncClient) -> None:
    for _ in range(600):
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)


async def streamed(http: httpx.AsyncClient, conv: str, question: str) -> tuple[float, float, dict[str, Any]]:
    """Seconds to the first piece of text and to the whole answer, and the answer."""
    t0 = time.perf_counter()
    first: float | None = None
    final: dict[str, Any] = {}
    event = ""
    url = f"/v1/conversations/{conv}/messages?stream=true"
    async with http.stream("POST", url, json={"content": question}) as reply:
        reply.raise_for_status()
        async for line in reply.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                if event == "delta" and first is None:
                    first = time.perf_counter() - t0
                elif event == "message":
                    final = json.loads(line[5:])
    total = time.perf_counter() - t0
    return (total if first is None else first), total, final


def report(label: str, firsts: list[float], totals: list[float]) -> None:
    ms = 1000.0
    print(
        f"{label:<28} n={len(totals):4d}  first text p50 {percentile(firsts, 0.5) * ms:8.1f} ms"
        f"  p95 {percentile(firsts, 0.95) * ms:8.1f} ms  |  whole answer p50 "
        f"{percentile(totals, 0.5) * ms:8.1f} ms  p95 {percentile(totals, 0.95) * ms:8.1f} ms"
    )


async def new_conversation(http: httpx.AsyncClient, video_id: str) -> str:
    made = await http.post("/v1/conversations", json={"video_id": video_id})
    made.raise_for_status()
    conversation_id: str = made.json()["id"]
    return conversation_id


async def run_model(base: str, session: Session, asked: list[str], model: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=600) as http:
        await up(http)
        http.headers["Authorization"] = f"Bearer {session.token}"
        conv = await new_conversation(http, session.video_id)
        t0 = time.perf_counter()
        # the first question the built-in engine cannot answer waits for the model to load: not counted
        await streamed(http, conv, "Which instrument does the orchestra tune first?")
        print(f"\nmodel {model}: loaded and a first question asked in {time.perf_counter() - t0:.1f} s")
        by_engine: dict[str, tuple[list[float], list[float]]] = {}
        grounded: dict[str, int] = {}
        for n, question in enumerate(asked):
            if n % 5 == 0:
                conv = await new_conversation(http, session.video_id)
            first, total, final = await streamed(http, conv, question)
            engine = str(final.get("engine"))
            firsts, totals = by_engine.setdefault(engine, ([], []))
            firsts.append(first)
            totals.append(total)
            grounded[engine] = grounded.get(engine, 0) + bool(final.get("grounded"))
    for engine, (firsts, totals) in sorted(by_engine.items()):
        report(f"{engine} ({grounded[engine]} grounded)", firsts, totals)


async def run(base: str, video: Path, count: int, clients: int, parts: int) -> Session:
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as http:
        await up(http)
        email = f"bench-{time.time_ns()}@example.com"
        await http.post("/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Bench"})
        token = (await http.post("/v1/auth/token", data={"username": email, "password": PASSWORD})).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        ws = (await http.post("/v1/workspaces", json={"name": "bench", "tier": "enterprise"})).json()
        project = (await http.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "bench"})).json()
        started = time.perf_counter()
        with video.open("rb") as fh:
            uploaded = (
                await http.post(
                    f"/v1/projects/{project['id']}/videos", files={"file": (video.name, fh, "video/mp4")}
                )
            ).json()
        while (state := (await http.get(f"/v1/videos/{uploaded['id']}")).json())["status"] not in (
            "ready",
            "failed",
            "cancelled",
        ):
            await asyncio.sleep(2)
        if state["status"] != "ready":
            raise SystemExit(f"the analysis did not finish: {state}")
        print(f"video: {state['duration']:.0f} s, analysed in {time.perf_counter() - started:.0f} s")
        asked = questions(count, parts)

        async def conversation() -> str:
            return await new_conversation(http, uploaded["id"])

        answers: list[float] = []
        health: list[float] = []
        grounded = 0
        conv = ""
        one_by_one = time.perf_counter()
        for n, question in enumerate(asked):
            if n % 20 == 0:
                conv = await conversation()
            t0 = time.perf_counter()
            reply = await http.post(f"/v1/conversations/{conv}/messages", json={"content": question})
            answers.append(time.perf_counter() - t0)
            reply.raise_for_status()
            grounded += bool(reply.json()["grounded"])
            t1 = time.perf_counter()
            (await http.get("/healthz")).raise_for_status()
            health.append(time.perf_counter() - t1)
        sequential = count / sum(answers)
        elapsed_one_by_one = time.perf_counter() - one_by_one

        queue = list(enumerate(asked))

        async def client() -> None:
            conv = await conversation()
            while queue:
                n, question = queue.pop()
                if n % 20 == 0:
                    conv = await conversation()
                (
                    await http.post(f"/v1/conversations/{conv}/messages", json={"content": question})
                ).raise_for_status()

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        concurrent = count / (time.perf_counter() - t0)

        firsts: list[float] = []
        totals: list[float] = []
        for n, question in enumerate(asked[:100]):
            if n % 20 == 0:
                conv = await conversation()
            first, total, _ = await streamed(http, conv, question)
            firsts.append(first)
            totals.append(total)

    ms = 1000.0
    a50, a99 = percentile(answers, 0.5) * ms, percentile(answers, 0.99) * ms
    h50, h99 = percentile(health, 0.5) * ms, percentile(health, 0.99) * ms
    print(f"questions: {count} ({grounded} grounded), {elapsed_one_by_one:.0f} s one at a time")
    print(
        f"answer  latency p50 {a50:8.1f} ms  p99 {a99:8.1f} ms  mean {statistics.mean(answers) * ms:8.1f} ms"
    )
    print(f"healthz latency p50 {h50:8.1f} ms  p99 {h99:8.1f} ms")
    print(f"ratio answer/healthz: p50 {a50 / h50:.1f}x  p99 {a99 / h99:.1f}x")
    print(f"questions per second: {sequential:.1f} one at a time, {concurrent:.1f} with {clients} clients")
    report("builtin alone, streamed", firsts, totals)
    return Session(str(http.headers["Authorization"]).removeprefix("Bearer "), uploaded["id"])


if __name__ == "__main__":
    main()
