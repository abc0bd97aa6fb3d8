"""Password rules for the two profiles of security.md §0: dengbao (default) and asvs.

The blocklist (security.md A4) is the list of the most common passwords that the zxcvbn
package ships (30,000 entries from leaked-password corpora, most common first), plus a few
dozen passwords that are common in China and absent from that mostly Western list. It is
loaded on first use only.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Iterable
from functools import lru_cache

MAX_LENGTH = 128
MIN_LENGTH = {"dengbao": 8, "asvs": 12}
PROFILES = tuple(MIN_LENGTH)
DEFAULT_BLOCKLIST_SIZE = 30_000
# Words any password of this portal is likely to be built from (security.md A4).
CONTEXT_WORDS = (
    "stations",
    "station",
    "jinghe",
    "jhxc",
    "xixian",
    "zhengwu",
    "yizhan",
    "gov",
    "admin",
    "123456",
    "password",
)
# Common in Chinese leaks and missing from zxcvbn's list (pinyin, number puns such as 5201314 = "I love
# you for life", keyboard walks).
CHINESE_COMMON = (
    "woaini1314",
    "woaini520",
    "woaini123",
    "woaini",
    "wodemima",
    "nihao123",
    "zhongguo",
    "beijing",
    "shanghai",
    "xian123",
    "520520",
    "5201314",
    "1314520",
    "5201314520",
    "520520520",
    "aini1314",
    "qq123456",
    "qq5201314",
    "123456qq",
    "123456aa",
    "123456abc",
    "abc123456",
    "a123456789",
    "a12345678",
    "123456789a",
    "1qaz2wsx",
    "1qaz@wsx",
    "1qaz!qaz",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "qwe123456",
    "qwe123!@#",
    "qaz123456",
    "asd123456",
    "zxc123456",
    "147258369",
    "147258",
    "159357",
    "789456123",
    "123654789",
    "31415926",
    "12344321",
    "11223344",
    "110110110",
    "88888888",
    "66666666",
    "dearbook",
    "xiazhili",
    "admin@123",
    "admin123456",
    "root123",
    "p@ssw0rd",
    "p@ssword",
    "pass@word1",
    "abcd@1234",
    "abc@123",
    "test123",
    "test@123",
    "huawei123",
    "huawei@123",
)
# Undo the usual look-alike substitutions so that "P@ssw0rd" is found as "password".
_UNLEET = str.maketrans({"@": "a", "4": "a", "0": "o", "$": "s", "5": "s", "3": "e", "7": "t", "1": "i", "!": "i"})
_UNLEET_L = str.maketrans({"1": "l", "!": "l"})
_SYMBOLS = string.punctuation + " "
_EDGES = string.digits + _SYMBOLS


@lru_cache(maxsize=4)
def common_passwords(size: int = DEFAULT_BLOCKLIST_SIZE) -> frozenset[str]:
    """The ``size`` most common passwords (lower case), from zxcvbn's shipped frequency list."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    ranked = FREQUENCY_LISTS["passwords"]
    return frozenset(p.lower() for p in ranked[:size]) | frozenset(CHINESE_COMMON)


def _classes(password: str) -> int:
    groups = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    count = sum(any(ch in group for ch in password) for group in groups)
    if any(not ch.isalnum() for ch in password):
        count += 1
    return count


def _variants(lowered: str) -> set[str]:
    """The password as typed, with look-alikes undone, and each trimmed of symbols (and digits) at both ends.

    "Dragon2024!", "Abc123456!" and "P@ssw0rd1" are as guessable as "dragon", "abc123456" and "password".
    """
    forms = {lowered, lowered.translate(_UNLEET), lowered.translate(_UNLEET_L).translate(_UNLEET)}
    trimmed = {form.strip(_SYMBOLS) for form in forms} | {form.strip(_EDGES) for form in forms}
    return {v for v in forms | trimmed if v}


def password_problems(
    password: str,
    profile: str,
    context_words: Iterable[str] = (),
    blocklist: Collection[str] | None = None,
) -> list[str]:
    """Codes of every rule the password breaks; empty when it is acceptable.

    Codes: ``too_short``, ``too_long``, ``classes`` (dengbao: fewer than 3 character classes),
    ``common`` (on the blocklist, also after undoing look-alikes and trimming digits/symbols at the ends),
    ``context`` (built from the username or the portal's name). ``blocklist`` defaults to
    :func:`common_passwords`. Nothing is truncated: all 128 characters count.
    """
    if blocklist is None:
        blocklist = common_passwords()
    problems: list[str] = []
    if len(password) < MIN_LENGTH.get(profile, MIN_LENGTH["dengbao"]):
        problems.append("too_short")
    if len(password) > MAX_LENGTH:
        problems.append("too_long")
    if profile != "asvs" and _classes(password) < 3:
        problems.append("classes")
    lowered = password.lower()
    variants = _variants(lowered)
    if any(v in blocklist for v in variants if len(v) >= 4 or v == lowered):
        problems.append("common")
    words = [w.lower() for w in (*CONTEXT_WORDS, *context_words) if w and len(w) >= 3]
    if any(v == w or (w in v and len(v) - len(w) <= 4) for w in words for v in variants):
        problems.append("context")
    return problems
