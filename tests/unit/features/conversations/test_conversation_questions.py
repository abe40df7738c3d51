"""Question forms: many phrasings of each, other languages and nonsense."""

from __future__ import annotations

import pytest

from visionscope.features.conversations.answers.memory import Focus, Turn, plan
from visionscope.features.conversations.answers.phrasing import without_guess
from visionscope.features.conversations.answers.questions import Channel, Form, read_question
from visionscope.features.conversations.answers.timecodes import Anchor

FORMS = {
    Form.WHEN: [
        "When is the Denver warehouse mentioned?",
        "when does the speaker talk about safety glasses",
        "At what point does the narrator mention the parking lot?",
        "At what time is the software update discussed?",
        "What time do they talk about customer support?",
        "Where in the video is the red truck shown?",
        "Which scene mentions the warehouse?",
        "In which part of the video do they mention bicycles?",
        "Find the moment where the truck appears",
        "Show me when the meeting is introduced",
        "Timestamp of the safety reminder?",
        "And when is September mentioned?",
    ],
    Form.SAID_ABOUT: [
        "What does the narrator say about electric bicycles?",
        "What is said about the warehouse?",
        "What did they mention about customer support?",
        "Tell me about the software update",
        "What does the speaker tell us about safety?",
        "What about the red truck?",
    ],
    Form.LOOKUP: [
        "Where is the red truck parked?",
        "Who answered four thousand calls?",
        "What is the name of the company's chief executive?",
        "Why should people wear glasses?",
        "What should people wear in the laboratory?",
        "Which region is the meeting about?",
        "asdf qwerty zxcv",
    ],
    Form.EXISTS: [
        "Does anyone mention a volcano?",
        "Is there a dog in the video?",
        "Did they talk about the budget?",
        "Is the red truck parked at the back door?",
        "Was Denver mentioned?",
    ],
    Form.QUANTITY: [
        "How many calls did customer support answer?",
        "How many machines will it be tested on?",
        "By how much did bicycle sales increase?",
        "What percentage did sales go up?",
        "How much does the base model cost?",
        "How many times is safety mentioned?",
        "How long should the soup simmer?",
        "How long does the battery last?",
        "What is the number of tomatoes?",
        "How many minutes does the rice toast?",
        "How many parts does the recipe have?",
    ],
    Form.AT_TIME: [
        "What text is shown on screen at 0:40?",
        "What is said at 1:05?",
        "What happens at 40 seconds?",
        "What's on screen at the 40 second mark?",
        "What does the slide at 0:20 say?",
        "What is said between 0:10 and 0:20?",
        "What is on screen in the first 10 seconds?",
        "What is written at the end of the video?",
        "What is said at the beginning?",
        "What is shown at one minute and five seconds?",
        "What appears at 00:01:05?",
        "what's shown at 1m05s",
        "What is said around the 50 second mark?",
        "How does the presentation end?",
        "What's on screen around the middle?",
    ],
    Form.SCENE: [
        "Describe the last scene",
        "What is shown in scene 3?",
        "What is said in the second scene?",
        "What happens in the opening shot?",
        "What text is in scene number two?",
    ],
    Form.SCENE_COUNT: [
        "How many scenes are in the video?",
        "How many cuts are there?",
        "how many shots does the clip have",
        "Number of scenes?",
        "How many different scenes?",
        "How many parts is the launch video cut into?",
    ],
    Form.DURATION: [
        "How long is the video?",
        "What is the length of the video?",
        "How long is the clip in minutes?",
        "What's the runtime?",
        "How many seconds is the video?",
        "Video duration?",
        "How long is the recap?",
        "How long is this briefing?",
        "How many minutes long is the induction?",
        "What's the length of this update?",
    ],
    Form.SPAN: [
        "For how long?",
        "How long is the warehouse shown?",
        "How long does the first scene last?",
        "How long does it last?",
        "and for how long is it on screen?",
        "How many seconds does the first scene last?",
    ],
    Form.COLOUR: [
        "What is the dominant color of the first scene?",
        "What colour is the truck?",
        "Which colours are in the video?",
        "When is the screen purple?",
        "Which scene is green?",
        "Is the first scene blue?",
        "What is the background colour at 0:20?",
        "What color dominates the last scene?",
    ],
    Form.SUMMARY: [
        "Summarise the video",
        "Can you summarize this?",
        "What is this video about?",
        "What's the video about?",
        "Give me the key points",
        "tl;dr",
        "Give me an overview",
        "Recap please",
    ],
    Form.CHAPTERS: [
        "What are the chapters?",
        "List the chapters",
        "How many chapters are there?",
        "What topics are covered?",
        "Show me the outline",
    ],
    Form.AFTER: [
        "What is shown right after that?",
        "What comes right after that?",
        "What happens next?",
        "what's next?",
        "and then?",
        "What is in the next scene?",
        "What comes after the Denver warehouse?",
        "What is said after 0:30?",
        "What follows the safety slide?",
    ],
    Form.BEFORE: [
        "And before that?",
        "What came just before that?",
        "What is said before 0:30?",
        "What is shown before the parking lot?",
        "What was in the previous scene?",
    ],
    Form.ALL_TEXT: [
        "What text appears in the video?",
        "List all the text on screen",
        "What is written on screen?",
    ],
    Form.ALL_SPEECH: ["What is said in the video?", "Transcribe the video", "What does the narrator say?"],
    Form.SMALL_TALK: ["Hello!", "hi there", "Thanks!", "thank you very much", "What can you do?"],
    Form.UNCLEAR: ["???", "...", "12345", "What?"],
}


@pytest.mark.parametrize(("form", "question"), [(f, q) for f, qs in FORMS.items() for q in qs])
def test_each_phrasing_is_read_as_its_form(form: Form, question: str) -> None:
    assert read_question(question).form is form, question


def test_topics_keep_what_is_asked_about_and_drop_how_to_look() -> None:
    assert read_question("When is the Denver warehouse mentioned?").terms == ("denver", "warehouse")
    assert read_question("What does the narrator say about electric bicycles?").terms == (
        "electric",
        "bicycles",
    )
    assert read_question("When does the software update test come up?").terms == (
        "software",
        "update",
        "test",
    )
    assert read_question("When are e-bikes discussed?").terms == ("bikes",)
    assert read_question("When does 'Fifty Machines Tomorrow' appear?").terms == (
        "fifty",
        "machines",
        "tomorrow",
    )


def test_the_topic_phrase_is_the_users_words() -> None:
    assert read_question("When is the Denver warehouse mentioned?").phrase == "the Denver warehouse"
    assert read_question("When does the speaker talk about safety glasses?").phrase == "safety glasses"
    assert read_question("Does anyone mention a volcano?").phrase == "a volcano"
    name = read_question("What is the name of the company's chief executive?").phrase
    assert name == "the name of the company's chief executive"


@pytest.mark.parametrize(
    ("question", "anchor", "start", "end"),
    [
        ("What is on screen at 0:40?", Anchor.POINT, 40, 40),
        ("What is said at 1:05?", Anchor.POINT, 65, 65),
        ("What happens at 40 seconds?", Anchor.POINT, 40, 40),
        ("what happens at forty seconds", Anchor.POINT, 40, 40),
        ("What is shown at 1 minute 5 seconds?", Anchor.POINT, 65, 65),
        ("What is on screen at 1:02:03?", Anchor.POINT, 3723, 3723),
        ("What is said between 0:10 and 0:20?", Anchor.RANGE, 10, 20),
        ("What is said from 20 seconds to 10 seconds?", Anchor.RANGE, 10, 20),
        ("What is on screen in the first 10 seconds?", Anchor.FIRST, 10, 10),
        ("What is said in the last 2 minutes?", Anchor.LAST, 120, 120),
        ("When is Denver mentioned after 0:30?", Anchor.AFTER, 30, 30),
    ],
)
def test_times_are_read_in_their_usual_forms(question: str, anchor: Anchor, start: float, end: float) -> None:
    time = read_question(question).time
    assert time is not None and time.anchor is anchor and (time.start, time.end) == (start, end)


def test_scene_references_count_from_either_end() -> None:
    assert read_question("Describe the first scene").scene.index(8) == 0  # type: ignore[union-attr]
    assert read_question("Describe the last scene").scene.index(8) == 7  # type: ignore[union-attr]
    assert read_question("Describe the second to last scene").scene.index(8) == 6  # type: ignore[union-attr]
    assert read_question("What is in scene 3?").scene.index(8) == 2  # type: ignore[union-attr]
    assert read_question("What is in scene three?").scene.index(8) == 2  # type: ignore[union-attr]
    assert read_question("What is in the 4th scene?").scene.index(8) == 3  # type: ignore[union-attr]
    assert read_question("What is in scene 12?").scene.index(8) is None  # type: ignore[union-attr]


def test_channels_follow_the_verbs() -> None:
    assert read_question("When does the speaker talk about safety?").channel is Channel.SAID
    assert read_question("When is the warehouse shown on screen?").channel is Channel.SHOWN
    assert read_question("When is the warehouse mentioned?").channel is Channel.ANY


@pytest.mark.parametrize(
    "question",
    [
        "¿Cuándo se menciona el almacén de Denver?",
        "Wann wird das Lager in Denver erwähnt?",
        "Quand est-ce que l'entrepôt est mentionné ?",
        "Quando viene menzionato il magazzino?",
        "Combien de scènes y a-t-il dans la vidéo ?",
    ],
)
def test_other_languages_are_noticed(question: str) -> None:
    assert read_question(question).foreign


def test_follow_ups_point_at_the_last_answers_moment() -> None:
    video = Focus.from_dict(
        {"video_id": "00000000-0000-0000-0000-000000000001", "start": 44.0, "end": 52.0, "source": "text"}
    )
    first = Turn("when", ("software", "update", "test"), (video,))
    follow = plan(read_question("How many machines will it be tested on?"), [first])
    assert follow.referent == video and follow.context == ("software", "update", "test")
    assert follow.words == ("machines", "tested")
    after = plan(read_question("What comes right after that?"), [first])
    assert after.referent == video and after.question.immediate
    then = Turn("after", (), (Focus(video.video_id, 52.0, 60.0, "text", 7),), referent=video)
    before = plan(read_question("And before that?"), [first, then])
    assert before.referent == video  # the same "that" as the question before
    chained = plan(read_question("And then?"), [first, then])
    assert chained.referent is not None and chained.referent.start == 52.0
    fresh = plan(read_question("When is the warehouse mentioned?"), [first])
    assert fresh.referent is None


def test_memory_survives_storage() -> None:
    focus = Focus.from_dict(
        {
            "video_id": "00000000-0000-0000-0000-000000000002",
            "start": 1.5,
            "end": 3.0,
            "source": "transcript",
            "scene": 0,
        }
    )
    turn = Turn("when", ("a", "b"), (focus,), referent=focus)
    assert Turn.from_dict(turn.to_dict()) == turn


def test_a_who_question_that_says_how_much_asks_for_a_person() -> None:
    question = read_question("Who is weighing up how much he could afford to do for them?")
    assert question.form is not Form.QUANTITY and question.asks_for is None


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("May I lift a 30 kilo box by myself?", True),
        ("Must I wear a helmet in the yard?", True),
        ("Shall we meet at the gate?", True),
        ("Can I take the lift?", True),
        ("Where may I park?", False),
        ("What must be worn on the floor?", False),
        ("If there's a blaze, can I take the elevator?", True),
        ("When it rains, is the match stopped?", True),
        ("In an emergency, may I use the lift?", True),
        ("If it rains, what happens?", False),
        ("After the break, who scored?", False),
        # a statement to confirm
        ("It only comes in black, doesn't it?", True),
        ("So it's red wine that goes in, right?", True),
        ("Kick-off is Saturday at 15:00, yes?", True),
        ("Mars is third from the sun, isn't it?", True),
        ("Which way, left, or right?", False),
        ("Do I turn left or right?", True),
    ],
)
def test_a_question_that_opens_with_a_verb_asks_yes_or_no(question: str, yes_no: bool) -> None:
    assert read_question(question).yes_no is yes_no


@pytest.mark.parametrize(
    ("question", "refers_back"),
    [
        ("What's the length of this update?", False),
        ("How long is this lesson?", False),
        ("How long does it take?", True),
        ("What happens after that?", True),
    ],
)
def test_this_and_the_videos_name_is_the_video_not_an_earlier_answer(
    question: str, refers_back: bool
) -> None:
    assert read_question(question).refers_back is refers_back


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("How many tbsp of butter to start with, 2?", "How many tbsp of butter to start with?"),
        ("How often do I get a break, every two hours?", "How often do I get a break?"),
        ("In which minute did Silva score, the 12th?", "In which minute did Silva score?"),
        ("When did Perseverance land, 2021?", "When did Perseverance land?"),
        # no number guessed, or no question before it: as asked
        ("What is shown at 0:20, the title?", "What is shown at 0:20, the title?"),
        ("When does it open, in September?", "When does it open, in September?"),
        ("Is it 300 g of rice?", "Is it 300 g of rice?"),
        ("If it rains, how many games are left, 3?", "If it rains, how many games are left, 3?"),
    ],
)
def test_a_number_the_asker_guesses_after_the_question_is_left_to_the_answer(
    question: str, asked: str
) -> None:
    assert without_guess(question) == asked
