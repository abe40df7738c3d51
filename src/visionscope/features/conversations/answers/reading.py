"""Close readings: the model asked again, in a short prompt of its own, about only the lines an
answer cites and what is said or shown with them. Pure: the caller asks the model.

Given all of a video's evidence, a small model answers what it can find words for: "Where is
the staff canteen?" gets "the staff canteen is in Car Park C" from the line "Assembly Point: Car
Park C". Asked again about only the lines it cited ("do these lines answer the question?"), it
reads them closely and says No. The same short prompt reads a yes-or-no question's lines for
their verdict (see `yes_no`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .knowledge import Passage
from .prompt import evidence_line

#: Lines given to a close reading, at most: the cited ones first, then those said or shown
#: with them.
CHECKED_LINES = 5
_CHECK_WORD = re.compile(r"\b(yes|no|unclear)\b", re.IGNORECASE)
CHECK_SYSTEM = "You answer questions about videos from evidence lines only."
#: For a yes-or-no question: the verdict the lines give.
VERDICT_INSTRUCTION = (
    "Do the evidence lines answer the question with yes or with no? Reply with one word: Yes, "
    "No, or Unclear (if they do not answer it)."
)
#: For any other question: whether the lines give what it asks for. Without the question before
#: (a follow-up's) and without "perhaps in other words": both made the model say No to answers
#: that were right. "Do the evidence lines answer this question?" let more answers to
#: questions the video cannot answer through ("What does the premium model cost?" on the basic
#: model's price) and said No to more right ones (docs/answers.md, step 5).
ANSWERS_INSTRUCTION = (
    "Do the evidence lines give the information the question asks for? Reply with one word: Yes or No."
)


def check_messages(
    question: str, lines: Sequence[Passage], before: str = "", instruction: str = VERDICT_INSTRUCTION
) -> list[dict[str, str]]:
    """The question again, about only these `lines`, in a prompt of its own; `before`, the
    question asked just before (a follow-up's "that" refers to it)."""
    numbered = "\n".join(evidence_line(n, p) for n, p in enumerate(lines[:CHECKED_LINES], start=1))
    asked = f"(Asked just before: {before})\nQuestion: {question}" if before else f"Question: {question}"
    body = f"Evidence lines:\n{numbered}\n\n{asked}\n\n{instruction}"
    return [{"role": "system", "content": CHECK_SYSTEM}, {"role": "user", "content": body}]


def read_check(reply: str) -> str | None:
    """The close reading's word: "yes", "no", or None (unclear, or no word given)."""
    m = _CHECK_WORD.search(reply[:40])
    if m is None or m[1].lower() == "unclear":
        return None
    return m[1].lower()
