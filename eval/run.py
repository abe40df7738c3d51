"""Run the evaluation against a VisionScope server through its HTTP API.

    python -m eval.run --server http://127.0.0.1:8000 [--part held_out] [--engine builtin|llm]

Makes each video from its spec (and the read-speech video from its recordings), registers a user,
creates a workspace and a project, uploads the videos, waits for their analysis, opens one
conversation per video and asks its questions (a follow-up right after the turns it refers to),
then prints accuracy per kind, refusals, latency and a final SUMMARY line. See eval/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from eval import speech
from eval.client import Api, ApiError
from eval.judge import judge
from eval.media import Scene, Truth, render
from eval.qa import EVAL_DIR, PARTS, VideoSet, load_all, select
from eval.report import Outcome
from eval.report import render as render_report
from tests.media.generate import make_video

CACHE = EVAL_DIR / ".cache"


def _fingerprint(scenes: list[Scene]) -> str:
    text = json.dumps(
        [[s.duration, s.source, s.extra, s.text1, s.text2, s.boxed, s.sentence, str(s.audio)] for s in scenes]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def make_media(video: VideoSet, media_dir: Path) -> tuple[Path, Truth, str]:
    """The video file and its ground truth, made once per content (kept in `media_dir`): spec videos by
    the repository's generator, the read-speech video from its recordings."""
    if video.spec is None:
        scenes = speech.reading_scenes(media_dir / "recordings")
        key = _fingerprint(scenes)
    else:
        scenes = []
        key = hashlib.sha256(video.spec.read_bytes()).hexdigest()[:12]
    path = media_dir / f"{video.name}-{key}.mp4"
    truth_path = path.with_suffix(".json")
    if not (path.is_file() and truth_path.is_file()):
        print(f"making {path.name} ...", flush=True)
        if video.spec is None:
            truth = render(scenes, path)
            truth_path.write_text(json.dumps({"duration": truth.duration, "scenes": truth.scenes}, indent=1))
        else:
            make_video(video.spec, media_dir, path.stem)
    raw = json.loads(truth_path.read_text())
    return path, Truth(raw["duration"], raw["scenes"]), key


def _load_state(path: Path, server: str) -> dict[str, Any]:
    if path.is_file():
        state: dict[str, Any] = json.loads(path.read_text())
        if state.get("server") == server:
            return state
    return {"server": server, "videos": {}}


def prepare_server(
    api: Api, state: dict[str, Any], media: dict[str, tuple[Path, Truth, str]], tier: str
) -> dict[str, str]:
    """Sign in (the stored user, or a new one), upload what the server lacks, wait until all is analysed."""
    if state.get("email"):
        try:
            api.sign_up(state["email"], state["password"])
        except ApiError:
            state.update({"videos": {}, "email": None})
    if not state.get("email"):
        state["email"], state["password"] = api.sign_up()
        state["workspace"] = api.workspace("Answer evaluation", tier)
        state["project"] = api.project(state["workspace"], "Evaluation videos")
        state["videos"] = {}
    ids: dict[str, str] = {}
    for name, (path, _, key) in media.items():
        known = state["videos"].get(name)
        if known and known["key"] == key:
            try:
                if api.video(known["id"])["status"] in {"ready", "queued", "processing"}:
                    ids[name] = known["id"]
                    continue
            except ApiError:
                pass
        print(f"uploading {path.name} ...", flush=True)
        ids[name] = api.upload(state["project"], path)
        state["videos"][name] = {"id": ids[name], "key": key}
    for name, video_id in ids.items():
        print(f"waiting for the analysis of {name} ...", flush=True)
        api.wait_ready(video_id)
    return ids


def _ask(api: Api, conversation: str, text: str) -> tuple[dict[str, Any], float]:
    """The answer, or an error answer (a failed request counts as a wrong, ungrounded answer)."""
    started = time.perf_counter()
    try:
        return api.ask(conversation, text)
    except (ApiError, httpx.TransportError) as err:
        failed = {"content": str(err), "grounded": False, "citations": [], "engine": "error"}
        status = err.status if isinstance(err, ApiError) else type(err).__name__
        return {**failed, "status": status}, time.perf_counter() - started


def ask_all(api: Api, video: VideoSet, video_id: str, truth: Truth) -> list[Outcome]:
    spans = [truth.span(i) for i in range(len(truth.scenes))]
    conversation = api.conversation(video_id)
    outcomes = []
    for question in video.questions:
        for turn in question.turns:
            _ask(api, conversation, turn)
        answer, seconds = _ask(api, conversation, question.text)
        if "status" in answer:
            correct, reason = False, f"request failed: {answer['status']}"
        else:
            verdict = judge(question, answer, spans)
            correct, reason = verdict.correct, verdict.reason
        content, grounded = str(answer.get("content", "")), answer.get("grounded") is True
        engine = str(answer.get("engine", "?"))
        outcomes.append(Outcome(question, correct, reason, content, grounded, engine, seconds))
        mark = "ok " if correct else "BAD"
        print(f"  {mark} {question.id:<14} {seconds * 1000:6.0f} ms  {question.text}", flush=True)
    return outcomes


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="the server's base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--part", choices=[*PARTS, "all"], default="all", help="which questions (default all)"
    )
    parser.add_argument(
        "--engine",
        choices=["builtin", "llm"],
        help="the engine the server is expected to use: exit 1 if none of its answers came from it "
        "(llm), or if any came from the model (builtin)",
    )
    parser.add_argument("--video", action="append", default=[], help="only these videos (repeatable)")
    parser.add_argument(
        "--kind", action="append", default=[], help="only questions of this kind (repeatable): yes_no, ..."
    )
    parser.add_argument(
        "--question", action="append", default=[], help="only the questions with these ids (repeatable)"
    )
    parser.add_argument("--media-dir", type=Path, default=CACHE, help="where the made videos are kept")
    parser.add_argument(
        "--state", type=Path, help="remember the user and uploads here and reuse them next run"
    )
    parser.add_argument(
        "--tier", default="pro", help="tier of the evaluation workspace (needs on-screen text)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for one answer (default 300)"
    )
    parser.add_argument("--json", type=Path, help="write every question's outcome to this file")
    parser.add_argument(
        "--require",
        type=float,
        metavar="ACCURACY",
        help="exit 1 unless accuracy reaches this share (0.9) and every unanswerable is refused",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    videos = select(load_all(), None if args.part == "all" else args.part, args.kind, args.question)
    if args.video:
        videos = [v for v in videos if v.name in args.video]
    if not speech.available():
        left_out = [v.name for v in videos if v.is_reading]
        if left_out:
            print(f"left out {', '.join(left_out)}: install the Debian package {speech.PACKAGE}", flush=True)
        videos = [v for v in videos if not v.is_reading]
    if not videos:
        print("no questions to ask", file=sys.stderr)
        return 2
    args.media_dir.mkdir(parents=True, exist_ok=True)
    media = {v.name: make_media(v, args.media_dir) for v in videos}
    state = _load_state(args.state, args.server) if args.state else {"server": args.server, "videos": {}}
    api = Api(args.server, timeout=args.timeout)
    try:
        ids = prepare_server(api, state, media, args.tier)
        if args.state:
            args.state.write_text(json.dumps(state, indent=1))
        outcomes: list[Outcome] = []
        for video in videos:
            print(f"{video.name}: {len(video.questions)} questions", flush=True)
            outcomes += ask_all(api, video, ids[video.name], media[video.name][1])
    finally:
        api.close()
    print()
    print(render_report(args.part, outcomes))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "id": o.question.id,
                        "video": o.question.video,
                        "kind": o.question.kind,
                        "part": o.question.part,
                        "question": o.question.text,
                        "correct": o.correct,
                        "reason": o.reason,
                        "grounded": o.grounded,
                        "engine": o.engine,
                        "ms": round(o.seconds * 1000, 1),
                        "content": o.content,
                    }
                    for o in outcomes
                ],
                indent=1,
            )
        )
    engines = {o.engine for o in outcomes}
    model_answered = "llm" in engines
    if args.engine and model_answered != (args.engine == "llm"):
        print(f"answers came from {sorted(engines)}: not the {args.engine} engine", file=sys.stderr)
        return 1
    if args.require is not None:
        accuracy = sum(o.correct for o in outcomes) / len(outcomes)
        all_refused = all(o.correct for o in outcomes if o.question.refuse)
        return 0 if accuracy >= args.require and all_refused else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
