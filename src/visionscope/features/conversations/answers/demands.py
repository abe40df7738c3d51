"""What the evidence an answer cites must hold for the kind of thing a question asks for: an
address needs a street or a number, a price an amount of money, "how many" a number, "what
month" a month. The language model may otherwise answer "the address is the Denver warehouse".
Pure."""

from __future__ import annotations

import re

from .numbers import replace_number_words
from .questions import Form, Question
from .retrieval import ANSWER_KINDS
from .wordlists import STOP_WORDS

_MONEY = re.compile(
    r"[$€£¥]\s*\d|\d\s*(dollars?|euros?|pounds?|cents?|usd|eur|gbp|yen|francs?)\b|\bfree of charge\b"
)
_DEMANDS: tuple[tuple[re.Pattern[str], str, re.Pattern[str]], ...] = (
    (
        re.compile(r"\baddress\b"),
        "address",
        re.compile(r"\b(street|st|road|rd|avenue|ave|boulevard|blvd|lane|drive|square|suite|zip|postcode)\b"),
    ),
    (
        re.compile(r"\b(price|prices|cost|costs|costing|fee|fees|salary|salaries|how much money|pay for)\b"),
        "amount of money",
        _MONEY,
    ),
    (re.compile(r"\b(phone|telephone)( number)?\b"), "phone number", re.compile(r"\d{3}")),
    (re.compile(r"\b(e-?mail)\b"), "email address", re.compile(r"@")),
    (re.compile(r"\b(website|web site|url)\b"), "web address", re.compile(r"\w\.(com|org|net|io)\b|www\.")),
)


#: "What's the name of ...", "What are the moons called?" ("Which card is named?", "Which cards
#: are called?" ask which was said, not a name).
_ASKS_NAME = re.compile(r"\bname of\b|\bwhat\b.*\bcalled\W*$|\bwhat(?:'s| is) (?:his|her|their|its) name\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]*[A-Za-z]\b")


def _names_beyond(question: str, cited_text: str) -> bool:
    """Whether the cited text holds a capitalised word the question does not (a name it asks for;
    a line in title case counts too: lenient)."""
    asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    return any(
        w.lower() not in asked and w.lower() not in STOP_WORDS for w in _CAPITALISED.findall(cited_text)
    )


def kind_missing(question: Question, cited_text: str) -> str | None:
    """What the cited text lacks that the question asks for, or None."""
    asked = question.text.lower()
    held = replace_number_words(cited_text.lower())
    for wanted, what, pattern in _DEMANDS:
        if wanted.search(asked) and not pattern.search(held):
            return what
    if _ASKS_NAME.search(asked) and not _names_beyond(question.text, cited_text):
        return "name"
    kind = question.asks_for
    kind_pattern = ANSWER_KINDS.get(kind or "")
    if kind and kind_pattern is not None and not kind_pattern.search(held):
        return kind
    if question.form is Form.QUANTITY and not re.search(r"\d", held):
        return "number"
    return None
