"""What the language model is given: lines on screen together in a scene are one piece of
evidence, and an answer citing it stands."""

from __future__ import annotations

import uuid

from conversation_support import ScriptedWriter

from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.features.conversations.answers.evidence import SHOWN_TOGETHER_CHARS, shown_together
from visionscope.features.conversations.answers.knowledge import TEXT, TRANSCRIPT, Passage, Subject

VIDEO = uuid.uuid4()


def _shown(start: float, end: float, text: str, scene: int) -> Passage:
    return Passage(VIDEO, TEXT, start, end, text, scene)


def test_lines_on_screen_together_in_a_scene_are_one_piece_of_evidence() -> None:
    said = Passage(VIDEO, TRANSCRIPT, 62.2, 66.0, "Take regular breaks.", None)
    passages = [
        _shown(62.0, 68.4, "15 Minutes Every 2 Hours", 7),
        said,
        _shown(64.7, 68.4, "Breaks", 7),
        _shown(71.0, 79.5, "Reporting", 8),  # another scene
        _shown(71.0, 79.5, "Call Extension 4455", 8),
        _shown(80.0, 84.0, "Questions", 9),
        _shown(85.0, 87.5, "Ask Your Team Leader", 9),  # after the other line, not with it
    ]
    assert shown_together(passages) == (
        _shown(62.0, 68.4, "15 Minutes Every 2 Hours / Breaks", 7),
        said,
        _shown(71.0, 79.5, "Reporting / Call Extension 4455", 8),
        _shown(80.0, 84.0, "Questions", 9),
        _shown(85.0, 87.5, "Ask Your Team Leader", 9),
    )
    long = [_shown(0.0, 5.0, "x" * (SHOWN_TOGETHER_CHARS - 5), 0), _shown(0.0, 5.0, "Title", 0)]
    assert shown_together(long) == tuple(long)


async def test_an_answer_citing_a_title_and_the_line_under_it_stands_on_both(
    engine: AnswerEngine, briefing: Subject
) -> None:
    def reply(prompt: str) -> str:
        line = next(row for row in prompt.splitlines() if "Opening September 30" in row)
        return f"The Denver warehouse opens on September 30 {line.split()[0]}."

    writer = ScriptedWriter(reply)
    model_engine = AnswerEngine(engine.knowledge, engine._embedder, writer)
    asked = "On what date does the new site in Colorado start work?"
    answer = await model_engine.answer(asked, [briefing], [])
    assert answer.engine == "llm" and answer.grounded, answer
    assert [c.quote for c in answer.citations] == ["Denver Warehouse / Opening September 30"]
    assert "Denver Warehouse / Opening September 30" in writer.seen[0][0]["content"]
