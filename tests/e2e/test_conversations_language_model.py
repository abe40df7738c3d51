"""Answers written by the packaged language model (Qwen2.5 1.5B, llama.cpp in this process),
through HTTP on a video analysed for real: a question in other words than the video's is answered
with a citation of the right moment, a follow-up resolves against the conversation, a question the
video cannot answer is refused, and the answer streams as it is written. A few questions only:
each takes seconds on a CPU."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import SampleVideo
from tests.e2e.test_conversations import analysed, ask, conversation, events_of
from tests.helpers import Account
from visionscope.config import Settings
from visionscope.runtime import EmbeddedRuntime


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"language_model": "qwen2.5-1.5b"})


async def _opened(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, video: SampleVideo
) -> tuple[Account, str, str]:
    """The owner of the analysed video, its id and a new conversation about it."""
    world = await analysed(client, runtime, video)
    conv = await conversation(client, world.owner, video_id=world.video["id"])
    return world.owner, world.video["id"], conv


async def test_the_language_model_answers_in_other_words_follows_up_refuses_and_streams(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner, video_id, conv = await _opened(client, runtime, short_video)

    opening = (await ask(client, owner, conv, "When does the new Denver site open?")).json()
    assert opening["grounded"] is True and opening["engine"] == "llm", opening
    assert "September" in opening["content"]
    cites = opening["citations"]
    assert cites and all(c["video_id"] == video_id and c["start"] < 5.0 for c in cites), cites
    assert any("September" in c["quote"] or "Denver" in c["quote"] for c in cites), cites

    city = (await ask(client, owner, conv, "Which city is it in?")).json()  # "it": the new site
    assert city["grounded"] is True and "Denver" in city["content"], city
    assert all(c["start"] < 5.0 for c in city["citations"]), city

    price = (await ask(client, owner, conv, "How much does the new warehouse cost?")).json()
    assert price["grounded"] is False and price["citations"] == [], price

    streamed = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true",
        json={"content": "What protective gear is needed in the lab?"},
        headers=owner.headers,
    )
    events = events_of(streamed.text)
    kinds = [k for k, _ in events]
    final = events[-1][1]
    assert kinds[-1] == "message" and final["grounded"] is True, events
    assert final["engine"] == "llm" and "glasses" in final["content"].lower(), events
    assert all(5.0 <= c["start"] < 10.0 for c in final["citations"]), final
    # A `reset` withdraws what was streamed before it: the deltas after the last one are the answer.
    last_reset = max((i for i, (k, _) in enumerate(events) if k == "reset"), default=-1)
    deltas = [d["content"] for k, d in events[last_reset + 1 :] if k == "delta"]
    assert sum(k == "delta" for k in kinds) >= 2, events  # written in pieces, as they came
    assert "".join(deltas) == final["content"], events


async def test_yes_or_no_questions_get_the_verdict_of_the_lines_that_answer_them(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner, _, conv = await _opened(client, runtime, short_video)

    eyes = (await ask(client, owner, conv, "Do I have to protect my eyes in the lab?")).json()
    assert eyes["grounded"] is True and eyes["content"].startswith("Yes"), eyes
    assert eyes["citations"] and all(5.0 <= c["start"] < 10.0 for c in eyes["citations"]), eyes

    # The video says September: "Yes" would be wrong, and a "No" must stand on the opening date.
    october = (await ask(client, owner, conv, "Is the Denver site opening in October?")).json()
    assert not october["content"].lower().startswith("yes"), october
    if october["grounded"]:
        assert october["content"].startswith("No"), october
        assert all(c["start"] < 5.0 for c in october["citations"]), october
