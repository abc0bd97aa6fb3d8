"""Password rules for the two profiles of security.md §0: dengbao (default) and asvs."""

from __future__ import annotations

import string
from collections.abc import Iterable

MAX_LENGTH = 128
MIN_LENGTH = {"dengbao": 8, "asvs": 12}
# Words any password of this portal is likely to be built from (security.md A4).
CONTEXT_WORDS = ("stations", "station", "jinghe", "jhxc", "zhengwu", "gov", "admin", "123456", "password")


def _classes(password: str) -> int:
    groups = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    count = sum(any(ch in group for ch in password) for group in groups)
    if any(not ch.isalnum() for ch in password):
        count += 1
    return count


def password_problems(
    password: str, profile: str, context_words: Iterable[str] = (), blocklist: frozenset[str] = frozenset()
) -> list[str]:
    """Codes of every rule the password breaks; empty when it is acceptable.

    Codes: ``too_short``, ``too_long``, ``classes`` (dengbao: fewer than 3 character classes),
    ``common`` (on the blocklist), ``context`` (built from the username or the portal's name).
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH.get(profile, 8):
        problems.append("too_short")
    if len(password) > MAX_LENGTH:
        problems.append("too_long")
    if profile == "dengbao" and _classes(password) < 3:
        problems.append("classes")
    lowered = password.lower()
    if lowered in blocklist:
        problems.append("common")
    words = [w.lower() for w in (*CONTEXT_WORDS, *context_words) if w and len(w) >= 4]
    stripped = lowered.strip(string.digits + string.punctuation)
    if any(stripped == w or (w in lowered and len(lowered) - len(w) <= 4) for w in words):
        problems.append("context")
    return problems
