"""What an account may be made of, checked the same way for the API and the web sign-up form:
a real email address, a name without control or invisible characters, and a password that is
not one of the most common ones nor only spaces."""

from __future__ import annotations

import functools
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, EmailStr, StringConstraints
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # MIT; 30,000 most common passwords

# Unicode categories refused in names: controls (CR, LF, ...), format characters (zero-width
# spaces and joiners, direction marks), line and paragraph separators, unassigned and private use.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})


@functools.cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _printable_name(value: str) -> str:
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value):
        raise ValueError("must not contain control or invisible characters")
    return value


def _uncommon_password(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be only spaces")
    if value.lower() in common_passwords() or value.strip().lower() in common_passwords():
        raise ValueError("is one of the most common passwords; choose another")
    return value


Email = Annotated[EmailStr, StringConstraints(max_length=320)]
PersonName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_printable_name),
]
NewPassword = Annotated[
    str, StringConstraints(min_length=8, max_length=256), AfterValidator(_uncommon_password)
]
KeyName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_printable_name),
]
