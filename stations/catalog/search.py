"""Search words for the catalogue: pinyin initials and everyday names (俗称) of items.

People type "社保卡" or "sbk" for 社会保障卡申领, "个体户" for 个体工商户: an alias turns such a
word into the official one, and its pinyin initials into the official initials.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_initials(text: str) -> str:
    """Lower-case pinyin initials of the Chinese characters in ``text`` ("社保卡" -> "sbk")."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()


# Everyday name -> the word the catalogue uses.
ALIASES = {
    "社保卡": "社会保障卡",
    "个体户": "个体工商户",
    "执照补办": "营业执照遗失补领",
}
_INITIAL_ALIASES = {pinyin_initials(k): pinyin_initials(v) for k, v in ALIASES.items()}


def term_variants(term: str) -> list[str]:
    """``term`` and, when it is an everyday name or its initials, the catalogue's word."""
    variants = [term]
    official = ALIASES.get(term) or _INITIAL_ALIASES.get(term.lower())
    if official:
        variants.append(official)
    return variants
