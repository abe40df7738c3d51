"""A model's reply made checkable: the same claims, in the form `verify` reads. Pure.

Small models state the right fact in the wrong form: they name the evidence by its time
("at 0:59-1:02") instead of its number, add sentences about the evidence itself ("I found this
in evidence [2]."), answer "Yes." as a sentence of its own (the sentence after it is checked),
copy the built-in engine's "Scene 4 (from 0:08 to 0:16)" with a scene number of their own, or
repeat an earlier refusal in their own words. None of this changes what the reply claims:
tidying it keeps the check strict on the claims (numbers, names, quotes, words) and lenient on
the form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .knowledge import VIDEO, Passage

#: Sentences that speak of the evidence, not of the video: their marks go to the sentence before.
_ABOUT_EVIDENCE = re.compile(
    r"\b(i found|this information|evidence (?:line|lines|number|numbers)|in (?:the )?evidence|"
    r"(?:supports?|confirms?|shows?) this|according to (?:the )?evidence|is supported by|"
    r"(?:see|from) (?:the )?evidence)\b|"
    r"^\W*(?:this|that|it)(?: information)? (?:is|was|can be) (?:stated|shown|said|mentioned|written|"
    r"displayed|seen|heard|found)\b",
    re.IGNORECASE,
)
#: "The evidence shows that ...": the claim is what follows.
_EVIDENCE_SAYS = re.compile(
    r"(^|[.!?]\s+)(?:according to the evidence,?|the evidence (?:shows|states|says|indicates|confirms)"
    r"(?: that)?)\s+(\w)",
    re.IGNORECASE,
)
#: "Yes" or "No" run into the sentence after it ("Yes\nThe watch ...").
_BARE_VERDICT = re.compile(r"^(\W*(?:yes|no))\s+(?=[A-Z])", re.IGNORECASE)
#: Replies that say the video does not hold the answer, in other words than NOT IN VIDEO.
_DECLINES = re.compile(
    r"^\W*(?:no\W+)?(?:the )?(?:video|evidence) (?:does not|doesn't|do not) "
    r"(?:say|show|mention|contain|state|give|include|provide)|"
    r"^\W*(?:there is|i found) (?:no|nothing)\b|\bnot (?:mentioned|stated|given) in the (?:video|evidence)\b",
    re.IGNORECASE,
)
#: A sentence ends at ".", "!" or "?", but not after a title ("Mr. John Dashwood").
TITLES = "".join(rf"(?<!\b{t}\.)" for t in ("Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Prof"))
_SENTENCE = re.compile(rf"(?<=[.!?]){TITLES}\s+(?=[A-Z0-9\"'\[])")
_LONE_ANSWER = re.compile(r"^\W*(?:yes|no)\W*$", re.IGNORECASE)
_NUMBER_MARK = re.compile(r"\[\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*\]")
_CLOCK = r"(?:\d{1,2}:)?\d{1,3}:[0-5]\d"
#: "(at 0:59-1:02)", "at 0:41-0:45:", "from 0:32 to 0:41", "[0:32]": a time that names evidence.
_TIME_REFERENCE = re.compile(
    rf"\s*\(?\s*(?:\b(?:at|from|around|between)\s+)?\[?({_CLOCK})\]?"
    rf"(?:\s*(?:-|\u2013|to|and)\s*\[?({_CLOCK})\]?)?\s*\)?\s*:?"
)

#: "Scene 4 (from 0:08 to 0:16)": the built-in engine's way of naming a scene, which a model
#: copies from earlier answers with a number of its own; the times name the evidence.
_SCENE_LABEL = re.compile(rf"\bscene \d+\s*(?=\(?\s*(?:from|at|between)\s+{_CLOCK})", re.IGNORECASE)

#: "(at 17)", "(at 17, 18)": evidence named by its number in the form of a time (earlier answers,
#: given back to the model as history, show their citations as "(at 0:53)").
_NUMBER_AT = re.compile(r"\s*\(\s*at\s+(\d{1,3}(?:\s*(?:,|and)\s*\d{1,3})*)\s*\)")


def declines(text: str) -> bool:
    """Whether the reply says the video does not answer the question (in any wording)."""
    return bool(_DECLINES.search(text.strip()))


def _seconds(clock_text: str) -> int:
    total = 0
    for part in clock_text.split(":"):
        total = total * 60 + int(part)
    return total


def _evidence_at(start: int, end: int | None, evidence: Sequence[Passage]) -> list[int]:
    """Numbers (1-based) of the evidence that starts at `start` (and ends at `end`), to the second;
    for a single time that starts none, the evidence under way then ("at 0:56" for a line said
    from 0:54 to 0:59)."""
    found = []
    for n, passage in enumerate(evidence, start=1):
        if passage.source == VIDEO or abs(int(passage.start) - start) > 1:
            continue
        if end is not None and abs(int(passage.end) - end) > 1 and abs(round(passage.end) - end) > 1:
            continue
        found.append(n)
    if not found and end is None:
        found = [
            n
            for n, passage in enumerate(evidence, start=1)
            if passage.source != VIDEO and int(passage.start) <= start <= passage.end
        ]
    return found


def times_as_marks(text: str, evidence: Sequence[Passage]) -> str:
    """Times that name pieces of evidence ("at 0:59-1:02") replaced by their numbers ("[6]"), and
    numbers given as a time ("(at 6)") too. A
    time in brackets that names none ("(at 0:41)") is dropped: the answer's times are its
    citations, which the check gives the evidence that holds the claim. Other times stay (the
    check looks for them)."""

    def replace(m: re.Match[str]) -> str:
        start = _seconds(m[1])
        end = _seconds(m[2]) if m[2] else None
        numbers = _evidence_at(start, end, evidence)
        if not numbers:
            return " " if m[0].lstrip().startswith("(") and m[0].rstrip().endswith(")") else m[0]
        return " " + "".join(f"[{n}]" for n in numbers) + " "

    def numbered(m: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", m[1])]
        if not all(1 <= n <= len(evidence) for n in numbers):
            return m[0]
        return " " + "".join(f"[{n}]" for n in numbers) + " "

    return _NUMBER_AT.sub(numbered, _TIME_REFERENCE.sub(replace, text))


def tidy(text: str, evidence: Sequence[Passage]) -> str:
    """The reply with evidence named by number, sentences about the evidence folded into the one
    before (their marks kept)."""
    text = re.sub(r"(\d) \. ?(\d)", r"\1.\2", text.strip())  # "2 . 4" copied from speech's "2 .4"
    text = _BARE_VERDICT.sub(r"\1. ", text)
    text = _EVIDENCE_SAYS.sub(lambda m: m[1] + m[2].upper(), text)
    text = times_as_marks(_SCENE_LABEL.sub("the scene ", text), evidence)
    text = re.sub(r"(^|[.!?]\s+)the scene", r"\1The scene", text)
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]
    kept: list[str] = []
    for sentence in sentences:
        if kept and _ABOUT_EVIDENCE.search(sentence):
            marks = "".join(_NUMBER_MARK.findall(sentence))
            if marks:
                kept[-1] = with_marks_before_stop(kept[-1], marks)
            continue
        kept.append(sentence)
    return " ".join(re.sub(r"\s+([.,;:!?])", r"\1", s) for s in kept)


def lone_answer(sentence: str) -> bool:
    """ "Yes." or "No." as a sentence of its own: the next sentence says what it stands on."""
    return bool(_LONE_ANSWER.match(_NUMBER_MARK.sub(" ", sentence)))


def with_marks_before_stop(sentence: str, marks: str) -> str:
    body = sentence.rstrip()
    stop = body[-1] if body and body[-1] in ".!?" else ""
    return f"{body[: len(body) - len(stop)].rstrip()} {marks}{stop}"
