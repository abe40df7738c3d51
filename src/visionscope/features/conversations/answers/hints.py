"""Words of a question that the evidence says in other words ("booze" ~ "wine"), found with the
sentence embedder, for the language model: a small model misses a line that answers a question
when no word of the question is in it. Only a hint in the prompt; the check of the answer is
unchanged (an answer must still hold to the words of the evidence it cites)."""

from __future__ import annotations

from collections.abc import Sequence

from .knowledge import Passage
from .retrieval import WordMeanings
from .terms import content_words, literally_in, stem
from .wordlists import CLOSED_SETS, FILLER

#: Cosine similarity of two words' embeddings from which one is offered as the other's wording
#: ("booze" ~ "wine" 0.56, "elevator" ~ "lift" 0.62, "satellites" ~ "moons" 0.56; "warranty" ~
#: "battery" 0.39, "premium" ~ "basic" 0.29 are not). Looser than `RELATED_WORDS`, which decides
#: what the built-in engine answers: here the model reads the evidence and decides.
HINT_SIMILARITY = 0.5
#: Hints given at most.
MAX_HINTS = 3


def _words(text: str) -> list[str]:
    return [
        w
        for w in content_words(text)
        if len(w) > 2 and not w.isdigit() and w not in FILLER and w not in CLOSED_SETS
    ]


def other_wordings(
    question: str, evidence: Sequence[Passage], meanings: WordMeanings | None
) -> tuple[tuple[str, str], ...]:
    """(question word, evidence word) pairs for the question's words the evidence lacks."""
    if meanings is None or not evidence:
        return ()
    held = sorted({w for p in evidence for w in _words(p.text)})
    stems = {stem(w) for w in held}
    hints: list[tuple[str, str]] = []
    for word in dict.fromkeys(_words(question)):
        if literally_in(word, stems):
            continue
        closest = meanings.closest(word, held)
        if closest is not None and closest[1] >= HINT_SIMILARITY:
            hints.append((word, closest[0]))
        if len(hints) >= MAX_HINTS:
            break
    return tuple(hints)
