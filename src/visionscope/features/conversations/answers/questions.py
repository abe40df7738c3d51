"""What a question asks: its form, its topic, and the time, scene or colour it names. Pure.

`read_question("What is the dominant color of the first scene?")` gives a `Question` whose form is
`COLOUR` with the scene reference "first"; `read_question("When is the Denver warehouse mentioned?")`
gives `WHEN` with the topic terms ("denver", "warehouse").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from .numbers import ORDINALS, replace_number_words
from .phrasing import (
    AFTER_WORDS,
    ANSWER_KIND,
    AUX,
    BACK_REFERENCE,
    CHAPTER_STEMS,
    CHAPTERS,
    COLOUR_ALIASES,
    COLOURS,
    CONTRACTIONS,
    CUT_INTO,
    DETERMINERS,
    DURATION,
    FRAME_NOUNS,
    HOW_LONG,
    HOW_MANY,
    HOW_MUCH,
    KIND_WORDS,
    LEAD_AUX,
    LEAD_SPEAKER,
    LEAD_VERB,
    LENGTH_OF_THE_VIDEO,
    NEXT_NOUN,
    NOT_BACK,
    PIECE_STEMS,
    QUOTED,
    RELATIVE,
    SAID_ABOUT,
    SAID_WORDS,
    SCENE_BY_NUMBER,
    SCENE_BY_ORDINAL,
    SCENE_STEMS,
    SHOWN_WORDS,
    SMALL_TALK,
    SPAN_VERBS,
    SUMMARY,
    TOKEN,
    TRAIL_VERB,
    WHEN,
    YES_NO,
    YES_NO_AFTER_CLAUSE,
    YES_NO_TAG,
)
from .terms import normalize, stem
from .timecodes import FoundTime, TimeRef, find_time
from .wordlists import COLOUR_FILLER, DURATION_FILLER, FILLER, FOREIGN, STOP_WORDS, VIDEO_NOUNS

#: Words of a question about the video's length: "How many minutes long is the induction?"
LENGTH_FILLER = DURATION_FILLER | VIDEO_NOUNS
_LENGTH_UNITS = frozenset(stem(w) for w in ("second", "minute", "hour"))


class Form(StrEnum):
    WHEN = "when"  # when is X said or shown
    SAID_ABOUT = "said_about"  # what is said about X
    LOOKUP = "lookup"  # what / where / who / why about X: the passage that answers it
    EXISTS = "exists"  # does anyone mention X? is X shown?
    QUANTITY = "quantity"  # how many X, how much, what percentage
    AT_TIME = "at_time"  # what is on screen or said at a time
    SCENE = "scene"  # what is in "the first scene", "scene 3"
    SCENE_COUNT = "scene_count"
    DURATION = "duration"  # how long is the video
    SPAN = "span"  # for how long is X shown; how long does scene 2 last
    COLOUR = "colour"
    SUMMARY = "summary"
    CHAPTERS = "chapters"
    AFTER = "after"
    BEFORE = "before"
    ALL_TEXT = "all_text"  # every line of on-screen text
    ALL_SPEECH = "all_speech"  # everything said
    SMALL_TALK = "small_talk"
    UNCLEAR = "unclear"


class Channel(StrEnum):
    """Where the answer is to be found: in what is said, in what is shown, or either."""

    SAID = "said"
    SHOWN = "shown"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class SceneRef:
    """A scene named by position: 1 is the first, -1 the last, -2 the one before the last."""

    position: int

    def index(self, count: int) -> int | None:
        """0-based index among `count` scenes, or None when there is no such scene."""
        found = self.position - 1 if self.position > 0 else count + self.position
        return found if 0 <= found < count else None


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    form: Form
    terms: tuple[str, ...] = ()
    """Content words of the topic, lower case (what the evidence must support)."""
    phrase: str = ""
    """The topic as the user wrote it ("the Denver warehouse"), for answers."""
    channel: Channel = Channel.ANY
    time: TimeRef | None = None
    scene: SceneRef | None = None
    colour: str | None = None
    counted: str | None = None
    """The noun after "how many" ("machines")."""
    yes_no: bool = False
    refers_back: bool = False
    """It points at an earlier answer ("that", "it", "for how long?")."""
    continues: bool = False
    """It starts with "and": it asks the same of the earlier answer's referent ("and before that?")."""
    immediate: bool = False
    """ "right after", "just before"."""
    foreign: bool = False
    """It looks written in a language other than English."""
    asks_for: str | None = None
    """The kind of thing asked for in "what month / which year / what number ..." questions."""
    quoted: tuple[str, ...] = field(default=())


_ASKING_FORMS = (Form.LOOKUP, Form.WHEN, Form.EXISTS, Form.SAID_ABOUT)


def _clean(text: str) -> str:
    out = normalize(text)
    for pattern, replacement in CONTRACTIONS:
        out = re.sub(pattern, replacement, out)
    out = replace_number_words(out)
    out = re.sub(r"[?!]+", " ", out)
    out = re.sub(r"(?<!\d)[.,;](?!\d)", " ", out)
    return re.sub(r"\s+", " ", out).strip()


def _blank(text: str, begin: int, end: int) -> str:
    return text[:begin] + " " * (end - begin) + text[end:]


def _scene_ref(text: str) -> tuple[SceneRef | None, str]:
    m = SCENE_BY_ORDINAL.search(text)
    if m:
        word = re.sub(r"\s+", " ", m[1])
        if word in ("last", "final", "closing"):
            position = -1
        elif word in ("second to last", "next to last", "last but one", "penultimate"):
            position = -2
        elif word == "opening":
            position = 1
        elif word[0].isdigit():
            position = int(re.sub(r"\D", "", word))
        else:
            position = ORDINALS[word]
        return SceneRef(position), _blank(text, m.start(), m.end())
    m = SCENE_BY_NUMBER.search(text)
    if m:
        return SceneRef(int(m[1])), _blank(text, m.start(), m.end())
    return None, text


def _colour(words: list[str]) -> str | None:
    for word in words:
        name = COLOUR_ALIASES.get(word, word)
        if name in COLOURS:
            return name
    return None


def _channel(text: str) -> Channel:
    said = bool(SAID_WORDS.search(text))
    shown = bool(SHOWN_WORDS.search(text))
    if said and not shown:
        return Channel.SAID
    if shown and not said:
        return Channel.SHOWN
    return Channel.ANY


def _topic(text: str, extra_filler: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Content words of `text` with their positions: (begin, end, word)."""
    found = []
    for m in TOKEN.finditer(text):
        for part in re.finditer(r"[^-]+", m.group()):
            word = part.group().strip("'.:")
            if word.endswith("'s"):
                word = word[:-2]
            if len(word) < 2 and not word.isdigit():
                continue
            if word in STOP_WORDS or word in FILLER or word in extra_filler:
                continue
            if re.fullmatch(r"[\d.:]+", word) and ":" in word:
                continue
            begin = m.start() + part.start()
            found.append((begin, begin + len(part.group()), word))
    return found


def _trimmed(body: str) -> str:
    """A question's body without its leading auxiliary and speaker or its trailing verb."""
    text = " ".join(body.split())
    text = LEAD_AUX.sub("", text)
    text = LEAD_VERB.sub("", LEAD_SPEAKER.sub("", text))
    text = re.sub(r"^there (is |are |was |were )?", "", text)
    while True:
        shorter = TRAIL_VERB.sub("", text).strip()
        if shorter == text:
            return text
        text = shorter


def _phrase(text: str, spans: list[tuple[int, int, str]], original: str) -> str:
    if not spans:
        return ""
    cased = {w.lower(): w for w in re.findall(r"[\w'-]+", original)}
    trimmed = _trimmed(text)
    if trimmed and len(trimmed.split()) <= 8 and all(w in trimmed for _, _, w in spans):
        return " ".join(cased.get(w, w) for w in trimmed.split(" "))
    begin, end = spans[0][0], spans[-1][1]
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    before = text[:begin].split()
    if before and before[-1] in DETERMINERS:
        begin = text.rfind(before[-1], 0, begin)
    phrase = re.sub(r"\s+", " ", text[begin:end]).strip(" '")
    return " ".join(cased.get(w, w) for w in phrase.split(" "))


def _relative(text: str) -> tuple[Form, bool, int] | None:
    """AFTER or BEFORE, whether "right/just", and where the referent starts in `text`."""
    for pattern in RELATIVE:
        m = pattern.search(text)
        if m is None:
            continue
        immediate = m.lastindex is not None and any(
            g in ("right", "just", "immediately", "directly", "straight", "very") for g in m.groups() if g
        )
        words = [g for g in m.groups() if g]
        keyword = words[-1] if words else m.group().split()[-1]
        if keyword in ("next", "following") and re.search(rf"\b(next|following) {NEXT_NOUN}\b", m.group()):
            immediate = True
        form = Form.AFTER if keyword.split()[0] in AFTER_WORDS else Form.BEFORE
        return form, immediate, m.end()
    return None


def read_question(question: str) -> Question:
    """Recognise the form of a question and what it names."""
    original = question.strip()
    text = _clean(original)
    letters = re.sub(r"[\W\d_]+", "", text)
    all_words = TOKEN.findall(text)
    foreign = any(ord(ch) > 127 for ch in letters) or sum(w in FOREIGN for w in all_words) >= 2
    if not letters:
        return Question(original, Form.UNCLEAR, foreign=foreign)
    if SMALL_TALK.fullmatch(text):
        return Question(original, Form.SMALL_TALK)
    quoted = tuple(a or b for a, b in QUOTED.findall(normalize(original)))
    found_time: FoundTime | None = find_time(text)
    rest = _blank(text, found_time.begin, found_time.end) if found_time else text
    scene, rest = _scene_ref(rest)
    kind = ANSWER_KIND.search(rest)
    if kind:
        rest = _blank(rest, kind.start(1), kind.end(1))
    time = found_time.ref if found_time else None
    channel = _channel(text)
    punctuated = normalize(original)  # read with its commas
    after_clause = bool(YES_NO_AFTER_CLAUSE.search(punctuated))  # "When it rains, is ...?"
    tagged = bool(YES_NO_TAG.search(punctuated))  # "..., doesn't it?"
    yes_no = bool(YES_NO.search(text)) or after_clause or tagged
    continues = text.startswith(("and ", "so ", "then "))
    back = bool(BACK_REFERENCE.search(rest)) and not NOT_BACK.search(rest)
    words = rest.split()
    colour = _colour(words)
    common = {
        "channel": channel,
        "time": time,
        "scene": scene,
        "colour": colour,
        "yes_no": yes_no,
        "continues": continues,
        "foreign": foreign,
        "quoted": quoted,
        "asks_for": kind[1] if kind else None,
    }

    def make(form: Form, body: str, *, extra: frozenset[str] = frozenset(), **more: object) -> Question:
        spans = _topic(body, extra)
        topic = [w for _, _, w in spans]
        phrase = _phrase(body, spans, original)
        if quoted:
            topic = [w for q in quoted for w in re.findall(r"\w+", q) if w not in STOP_WORDS]
            phrase = quoted[0]
        values = {**common, "refers_back": back, **more}
        kinds = [w for w in topic if w in KIND_WORDS]
        if form in _ASKING_FORMS and values["asks_for"] is None and kinds and len(topic) > 1:
            values["asks_for"] = KIND_WORDS[kinds[0]]  # "the launch date": a passage must hold a date
            topic = [w for w in topic if w != kinds[0]]
        return Question(original, form, tuple(topic), phrase, **values)  # type: ignore[arg-type]

    if LENGTH_OF_THE_VIDEO.match(text):
        return make(Form.DURATION, "")
    if SUMMARY.search(text):
        return make(Form.SUMMARY, "")
    # "Who is weighing up how much he could afford?" asks for a person, not an amount.
    asks_who = text.startswith(("who ", "whom ", "whose "))
    how_many = None if asks_who else HOW_MANY.search(rest)
    if CHAPTERS.search(text) and not (how_many and stem(how_many[1]) not in CHAPTER_STEMS):
        return make(Form.CHAPTERS, "")
    if how_many:
        counted = stem(how_many[1])
        if counted in SCENE_STEMS or (counted in PIECE_STEMS and CUT_INTO.search(text)):
            return make(Form.SCENE_COUNT, "")
        if counted in _LENGTH_UNITS and not _topic(
            _blank(rest, how_many.start(), how_many.end()), LENGTH_FILLER
        ):
            return make(Form.SPAN if scene is not None else Form.DURATION, "", extra=DURATION_FILLER)
        body = rest[: how_many.start()] + " " + how_many[1] + " " + rest[how_many.end() :]
        if counted in ("time", "occasion"):
            body = re.sub(rf"^\s*{how_many[1]}\s+({AUX})\b", " ", rest[how_many.end() - len(how_many[1]) :])
        return make(Form.QUANTITY, body, counted=how_many[1])
    if re.search(r"\bhow many\b", rest) and not asks_who:
        return make(Form.QUANTITY, re.sub(r"\bhow many\b", " ", rest))
    much = None if asks_who else HOW_MUCH.search(rest)
    if much:
        return make(Form.QUANTITY, _blank(rest, much.start(), much.end()))
    if HOW_LONG.search(text):
        body = re.sub(r"\bhow long\b", " ", rest)
        has_topic = bool(_topic(body, LENGTH_FILLER))
        elliptical = bool(
            re.fullmatch(r"(and |so )?(for )?how long( for)?( is it| was it| is that| was that)?", text)
        )
        lasts = bool(re.search(r"\blast(s|ed)?\b", text))
        if scene is not None or elliptical or (back and (lasts or SPAN_VERBS.search(text))):
            return make(Form.SPAN, body, extra=DURATION_FILLER, refers_back=back or elliptical)
        if has_topic and SPAN_VERBS.search(text):
            return make(Form.SPAN, body, extra=DURATION_FILLER)
        if not has_topic:
            return make(Form.DURATION, "")
        return make(Form.QUANTITY, body, extra=DURATION_FILLER, asks_for=DURATION)
    if re.search(r"\bcolou?rs?\b", text) or (
        colour is not None
        and (scene is not None or FRAME_NOUNS.search(rest))
        and not _topic(rest, COLOUR_FILLER | {colour, *COLOUR_ALIASES})
    ):
        body = re.sub(r"\b(what|which) colou?rs? (is|are|was|were|does|do|did)\b|\bcolou?rs? of\b", " ", rest)
        return make(Form.COLOUR, body, extra=COLOUR_FILLER | COLOURS | frozenset(COLOUR_ALIASES))
    when = None if after_clause else WHEN.search(text)
    relative = None if when else _relative(rest)
    if relative is not None:
        form, immediate, start = relative
        referent = rest[start:]
        refers = bool(re.match(r"\s*(that|this|it|then|those|there)?\b\s*$", referent)) or bool(
            re.match(r"\s*(that|this|it|then|those)\b", referent)
        )
        if not referent.strip() and time is None and scene is None:
            refers = True
        return make(
            form, referent, immediate=immediate, refers_back=refers and time is None and scene is None
        )
    if when:
        return make(Form.WHEN, rest[when.end() :] if when.end() < len(rest) else rest)
    spans = _topic(rest)
    if time is not None and not spans:
        return make(Form.AT_TIME, "")
    if scene is not None and not spans:
        return make(Form.SCENE, "")
    if yes_no and spans:
        return make(Form.EXISTS, rest)
    if not spans and not quoted:
        if text.startswith(("who ", "whom ", "whose ")):
            return make(Form.LOOKUP, "")  # who speaks, who is shown: nobody is named, nothing to say
        if re.search(
            r"\b(text|written|writing|words|titles?|captions?|headlines?|headings?|on screen)\b", text
        ):
            return make(Form.ALL_TEXT, "", channel=Channel.SHOWN)
        if channel is Channel.SAID or re.search(r"\btranscri(be|pt|ption)\b", text):
            return make(Form.ALL_SPEECH, "", channel=Channel.SAID)
        if back:
            return make(Form.LOOKUP, "")
        if re.search(r"\b(what|tell|describe)\b", text) and len(all_words) > 1:
            return make(Form.SUMMARY, "")
        return make(Form.UNCLEAR, "")
    if SAID_ABOUT.search(rest):
        about = re.search(r"\babout\b", rest)
        body = rest[about.end() :] if about else rest
        return make(Form.SAID_ABOUT, body if _topic(body) else rest, channel=Channel.SAID)
    if yes_no:
        return make(Form.EXISTS, rest)
    return make(Form.LOOKUP, rest)
