"""Words for matching: lower-case, numbers as digits, light stemming, and how well a text covers terms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .numbers import replace_number_words
from .wordlists import CLOSED_SETS, STOP_WORDS, SYNONYMS

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+", re.UNICODE)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def normalize(text: str) -> str:
    """Lower case, straight quotes, no accents' combining marks kept apart, `%` as a word."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = _THOUSANDS.sub("", text)
    return text.replace("%", " percent ")


#: Forms the suffix rules cannot reach.
_IRREGULAR = {
    "going": "go",
    "goes": "go",
    "doing": "do",
    "does": "do",
    "being": "be",
    "seeing": "see",
    "sees": "see",
    "using": "use",
    "used": "use",
    "uses": "use",
    "fed": "feed",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
}
#: A short stem whose word ends in a silent "e" before "-ing" or "-ed": consonant, vowel, consonant.
_SILENT_E = re.compile(r"[^aeiou][aeiou][^aeiouwxy]")


def stem(word: str) -> str:
    """A light suffix stripper applied alike to questions and evidence ("answered" ~ "answer")."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ings", "ing", "edly", "ed", "es", "s", "ly"):
        if not word.endswith(suffix):
            continue
        rest = word[: -len(suffix)]
        short_ing = len(rest) == 3 and rest[-1] == rest[-2] and rest[-1] not in "aeiou"  # adding
        silent_e = _SILENT_E.fullmatch(rest) is not None and suffix in ("ing", "ed") and rest != "dur"
        if len(rest) < (4 if suffix.startswith("ing") and not (short_ing or silent_e) else 3):
            continue
        if silent_e:
            return rest + "e"  # taking ~ take, named ~ name
        if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            continue
        word = word[: -len(suffix)]
        if (
            suffix in ("ing", "ings", "ed", "edly")
            and len(word) > 3
            and word[-1] == word[-2]
            and word[-1] not in "lsz"
        ):
            word = word[:-1]  # stopped -> stop
        break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # increase ~ increased
    return word


def words(text: str) -> list[str]:
    """Lower-case words and numbers, number words turned into digits ("four thousand" -> "4000")."""
    return _TOKEN.findall(replace_number_words(normalize(text)))


def content_words(text: str) -> list[str]:
    """Words without stop words: what a passage holds."""
    return [w for w in words(text) if w not in STOP_WORDS]


def vocabulary(texts: Iterable[str]) -> set[str]:
    """The content words of some texts."""
    found: set[str] = set()
    for text in texts:
        found.update(content_words(text))
    return found


def same_term(a: str, b: str) -> bool:
    """Equal stems, or one a short extension of the other ("electric" ~ "electrical")."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3


#: Says whether a term (a question's word) means one of the given words: semantic matching.
Relatedness = Callable[[str, Sequence[str]], bool]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which of a question's terms a text holds, literally or (with a relatedness test) in meaning."""

    terms: tuple[str, ...]
    literal: tuple[str, ...]
    related: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if t not in self.literal and t not in self.related)

    @property
    def share(self) -> float:
        return 1.0 if not self.terms else (len(self.terms) - len(self.missing)) / len(self.terms)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def literal_share(self) -> float:
        return 1.0 if not self.terms else len(self.literal) / len(self.terms)


def _synonym_groups() -> dict[str, frozenset[str]]:
    groups: dict[str, frozenset[str]] = {}
    for line in SYNONYMS:
        group = frozenset(stem(w) for w in line.split())
        for member in group:
            groups[member] = groups.get(member, frozenset()) | group
    return groups


_GROUPS = _synonym_groups()


def literally_in(word: str, stems: set[str]) -> bool:
    """Whether a word's stem, a close form of it or a synonym is among `stems`."""
    mine = stem(word)
    if mine in stems or any(same_term(mine, s) for s in stems):
        return True
    return bool(_GROUPS.get(mine, frozenset()) & stems)


def coverage(asked: Sequence[str], held: set[str], related: Relatedness | None = None) -> Coverage:
    """How `held` (words from `vocabulary`) covers the `asked` words, literally (same stem) or, with a
    `related` test, in meaning ("bike" ~ "bicycles")."""
    unique = tuple(dict.fromkeys(asked))
    stems = {stem(h) for h in held}
    literal = tuple(t for t in unique if literally_in(t, stems))
    rest = [t for t in unique if t not in literal and not t.isdigit() and len(t) > 2 and t not in CLOSED_SETS]
    candidates = sorted(h for h in held if not h.isdigit() and len(h) > 2 and h not in CLOSED_SETS)
    semantic = tuple(t for t in rest if related is not None and candidates and related(t, candidates))
    return Coverage(unique, literal, semantic)
