"""The figures of a run: accuracy per kind, refusals, latency and a summary line, per engine if several."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from eval.qa import KINDS, Question


@dataclass(frozen=True)
class Outcome:
    question: Question
    correct: bool
    reason: str
    content: str
    grounded: bool
    engine: str
    seconds: float


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (`share` 0.5 for the median, 0.95 for p95)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def _ratio(good: int, total: int) -> str:
    return f"{100.0 * good / total:5.1f}%" if total else "    -"


def kind_table(outcomes: list[Outcome]) -> list[str]:
    """Per kind: questions, right answers, accuracy, and how many were refused (not grounded): for
    `unanswerable` the right refusals, for the other kinds the answerable questions refused."""
    lines = [f"  {'kind':<16}{'n':>4}{'correct':>9}{'accuracy':>10}{'refused':>9}"]
    for kind in [*KINDS, "all"]:
        chosen = [o for o in outcomes if kind in ("all", o.question.kind)]
        if chosen:
            good = sum(o.correct for o in chosen)
            refused = sum(not o.grounded for o in chosen)
            lines.append(f"  {kind:<16}{len(chosen):>4}{good:>9}{_ratio(good, len(chosen)):>10}{refused:>9}")
    return lines


def summary(part: str, outcomes: list[Outcome]) -> str:
    refusable = [o for o in outcomes if o.question.refuse]
    answerable = [o for o in outcomes if not o.question.refuse]
    refused_right = sum(o.correct for o in refusable)
    false_refusals = sum(not o.grounded for o in answerable)
    good = sum(o.correct for o in outcomes)
    latencies = [o.seconds * 1000 for o in outcomes]
    engines = Counter(o.engine for o in outcomes)
    return (
        f"SUMMARY part={part} accuracy={_ratio(good, len(outcomes)).strip()} ({good}/{len(outcomes)}) "
        f"refused={refused_right}/{len(refusable)} false_refusals={false_refusals}/{len(answerable)} "
        f"p50_ms={percentile(latencies, 0.5):.0f} p95_ms={percentile(latencies, 0.95):.0f} "
        f"engines={','.join(f'{e}:{n}' for e, n in sorted(engines.items()))}"
    )


def render(part: str, outcomes: list[Outcome], *, show_wrong: bool = True) -> str:
    videos = sorted({o.question.video for o in outcomes})
    lines = [f"part {part}: {len(outcomes)} questions on {len(videos)} videos ({', '.join(videos)})", ""]
    lines += kind_table(outcomes)
    engines = sorted({o.engine for o in outcomes})
    if len(engines) > 1:
        for engine in engines:
            lines += ["", f"answered by {engine}:"]
            lines += kind_table([o for o in outcomes if o.engine == engine])
    refusable = [o for o in outcomes if o.question.refuse]
    answerable = [o for o in outcomes if not o.question.refuse]
    lines += [
        "",
        f"refusals: {sum(o.correct for o in refusable)} of {len(refusable)} unanswerable questions refused; "
        f"{sum(not o.grounded for o in answerable)} of {len(answerable)} answerable questions refused",
    ]
    latencies = [o.seconds * 1000 for o in outcomes]
    lines.append(
        f"latency per answer: p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies, default=0.0):.0f} ms"
    )
    wrong = [o for o in outcomes if not o.correct]
    if show_wrong and wrong:
        lines += ["", "wrong:"]
        for o in wrong:
            content = " ".join(o.content.split())[:160]
            lines.append(f"  {o.question.id} [{o.question.kind}] {o.question.text!r}: {o.reason} | {content}")
    lines += ["", summary(part, outcomes)]
    return "\n".join(lines)
