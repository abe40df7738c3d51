"""Question sets on videos made from specs (exact content known), analysed by the real pipeline and
asked through HTTP, checked the way the acceptance check checks the briefing: the phrasings are
not the briefing's, since the product is judged on questions it has not seen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import SPECS, SampleVideo, make_video
from tests.e2e.test_conversations import analysed, ask, conversation
from visionscope.runtime import EmbeddedRuntime

Expect = dict[str, Any]

KITCHEN: list[tuple[str, Expect]] = [
    ("When are the onions chopped?", {"time": (5.0, 10.5)}),
    ("How many tomatoes are added?", {"contains": ["6", "six"]}),
    ("How long should the soup simmer?", {"contains": ["30", "thirty"], "time": (15.5, 21.0)}),
    ("What is shown on screen at 0:12?", {"contains": ["Add Six Tomatoes"]}),
    ("What colour is the first scene?", {"contains": ["red"]}),
    ("What is the dominant colour of the third scene?", {"contains": ["yellow"]}),
    ("What comes after the simmering step?", {"contains": ["Salt And Basil"]}),
    ("How many people does the soup serve?", {"contains": ["4", "four"]}),
    ("What oil is used?", {"contains": ["olive"]}),
    ("When is bread mentioned?", {"time": (26.0, 31.0)}),
    ("How many scenes are there?", {"contains": ["6 scenes"]}),
    ("What is said at 0:17?", {"contains": ["simmer"]}),
    ("Does the recipe use chicken?", {"grounded": False}),
    ("What is the price of the soup?", {"grounded": False}),
    ("How many calories does the soup have?", {"grounded": False}),
    ("Qu'est-ce qu'on ajoute après les oignons ?", {"grounded": False}),
]
LAUNCH: list[tuple[str, Expect]] = [
    ("When does the phone go on sale?", {"contains": ["march"], "time": (0.0, 6.0)}),
    ("How much does the base model cost?", {"contains": ["499"], "time": (17.0, 23.0)}),
    ("How long does the battery last?", {"contains": ["2 days", "two days"]}),
    ("What is said about the camera?", {"contains": ["night"], "time": (12.0, 17.0)}),
    ("What text is on screen at 0:15?", {"grounded": False}),
    ("What is the dominant colour at 0:20?", {"contains": ["orange"]}),
    ("How long is the video?", {"contains": ["28 seconds"]}),
    ("What is shown in the last scene?", {"contains": ["Visit Our Website"]}),
    ("Which scene is purple?", {"time": (12.0, 17.0)}),
    ("Does the phone have a headphone jack?", {"grounded": False}),
    ("Who is the CEO?", {"grounded": False}),
]
CONVERSATIONS: dict[str, list[tuple[str, Expect]]] = {
    "kitchen": [
        ("When are the tomatoes added?", {"time": (10.5, 15.5)}),
        ("How many?", {"contains": ["6", "six"]}),
        ("What comes right after that?", {"contains": ["Simmer", "Thirty Minutes"]}),
        ("For how long?", {"contains": ["5.5 seconds"]}),
    ],
    "launch": [
        ("When is the price shown?", {"time": (17.0, 23.0)}),
        ("For how long?", {"contains": ["6 seconds"]}),
        ("And before that?", {"contains": ["camera"]}),
        ("What colour is that scene?", {"contains": ["purple"]}),
    ],
}


def check(message: dict[str, Any], expect: Expect) -> None:
    text, cites = str(message["content"]), message["citations"]
    if expect.get("grounded") is False:
        assert message["grounded"] is False and not cites, text
        return
    assert message["grounded"] is True and cites, text
    if "contains" in expect:
        assert any(s.lower() in text.lower() for s in expect["contains"]), text
    if "time" in expect:
        lo, hi = expect["time"]
        assert cites[0]["start"] < hi and cites[0]["end"] > lo, (text, cites[0])


@pytest.fixture(scope="session")
def spec_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("conversation-media")


@pytest.fixture(scope="session")
def kitchen(spec_dir: Path) -> SampleVideo:
    return make_video(SPECS / "kitchen.spec", spec_dir, "kitchen")


@pytest.fixture(scope="session")
def launch(spec_dir: Path) -> SampleVideo:
    return make_video(SPECS / "launch.spec", spec_dir, "launch")


async def _ask_sets(
    client: httpx.AsyncClient,
    runtime: EmbeddedRuntime,
    sample: SampleVideo,
    name: str,
    questions: list[tuple[str, Expect]],
) -> None:
    world = await analysed(client, runtime, sample)
    failures = []
    for question, expect in questions:
        conv = await conversation(client, world.owner, video_id=world.video["id"])
        message = (await ask(client, world.owner, conv, question)).json()
        try:
            check(message, expect)
        except AssertionError as err:
            failures.append(f"{question!r}: {err}")
    conv = await conversation(client, world.owner, video_id=world.video["id"])
    for question, expect in CONVERSATIONS[name]:
        message = (await ask(client, world.owner, conv, question)).json()
        try:
            check(message, expect)
        except AssertionError as err:
            failures.append(f"(conversation) {question!r}: {err}")
    assert not failures, "\n".join(failures)


async def test_questions_about_a_cooking_lesson(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, kitchen: SampleVideo
) -> None:
    await _ask_sets(client, runtime, kitchen, "kitchen", KITCHEN)


async def test_questions_about_a_product_launch(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, launch: SampleVideo
) -> None:
    await _ask_sets(client, runtime, launch, "launch", LAUNCH)
