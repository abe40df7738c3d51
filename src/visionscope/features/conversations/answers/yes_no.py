"""Yes-or-no answers: the model's "Yes" or "No" is checked on the evidence it cites, and the
answer stands on that evidence's own words. Pure: the caller asks the model.

A small model, given all the evidence, answers "Yes" to most yes-or-no questions and restates
the question in its answer ("Yes, the grains should be washed"), words the evidence need not
hold. Asked again in a short prompt of its own with only the lines it cited and what is said or
shown with them ("do these lines answer it with yes or with no?"), it reads them closely and
sees "never rinse the rice" as a No. When both readings agree, the answer is the verdict and
the lines, quoted; when they differ, the answer is rejected like any unsupported claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .knowledge import CHAPTER, SCENE, TEXT, TRANSCRIPT, Passage
from .terms import content_words, coverage, vocabulary
from .timecodes import mark
from .verify import numbers_in
from .wordlists import FILLER
from .writing import quoted

YES = "yes"
#: Lines quoted in a yes-or-no answer, at most.
QUOTED_LINES = 3
_VERDICT = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)


def verdict_of(reply: str) -> str | None:
    """ "yes" or "no" when the reply starts with it."""
    m = _VERDICT.match(reply)
    return m[1].lower() if m else None


def on_topic(question: str, lines: Sequence[Passage]) -> bool:
    """Whether the lines hold a number of the question or one of its words (same stem, close
    form or synonym): a verdict read from lines about something else is no answer ("Does it work
    with Android phones?" read on "It weighs just 32 grams")."""
    if numbers_in(question) & numbers_in(" ".join(p.text for p in lines)):
        return True
    asked = [w for w in content_words(question) if not w.isdigit() and w not in FILLER]
    return bool(coverage(asked, vocabulary(p.text for p in lines)).literal)


def _stated(passage: Passage) -> str:
    text = passage.text.strip().rstrip(".")
    where = mark(passage.start)
    if passage.source == TRANSCRIPT:
        return f"The video says: {quoted(text)} {where}."
    if passage.source == TEXT:
        return f"The screen shows {quoted(text)} {where}."
    if passage.source in (SCENE, CHAPTER):
        return f"{' '.join(text.split())} {where}."
    return f"{' '.join(text.split())}."


def stated_answer(verdict: str, cited: Sequence[Passage]) -> str:
    """ "No. The video says: "Never rinse the rice" [00:48]." """
    return " ".join([f"{verdict.capitalize()}.", *(_stated(p) for p in cited[:QUOTED_LINES])])
