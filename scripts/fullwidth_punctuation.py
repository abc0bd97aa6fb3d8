"""Codemod: full-width punctuation in the Chinese UI strings (GB/T 15834).

Usage: ``.venv/bin/python scripts/fullwidth_punctuation.py [--check]``

The rule (shared with ``tests/test_writing.py``): a half-width ``, : ; ! ?`` whose neighbour on
either side is a Chinese character or full-width punctuation becomes ``，：；！？`` (spaces that
followed it are dropped: the full-width mark carries its own spacing); a pair of half-width
parentheses becomes ``（）`` when either parenthesis touches a Chinese character. Format
placeholders (``%(name)s``, ``%s``, ``{0}``, ``{name}``, Jinja ``{{ … }}``) are opaque and never
rewritten, and neither is anything not adjacent to Chinese text: URLs, times such as 09:30,
numbers such as 1,000, code-like tokens such as ``enterprise_uscc`` stay as they are.

What it rewrites: it extracts the messages exactly as ``tests.check_translations`` does, and for
each msgid that breaks the rule it rewrites that msgid at its source locations (Python and
templates), in ``stations/translations/*/LC_MESSAGES/messages.po`` (the msgid only; the msgstr
is kept) and in the test literals that quote (part of) such a msgid. Idempotent: a second run changes nothing. Msgids it cannot find verbatim in
their source file are listed so that a person fixes them by hand. Afterwards run the usual
extract/update/compile (see docs/tooling.md) and ``python -m tests.check_translations``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "stations" / "translations"

FULL_WIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
# Placeholders and Jinja expressions: left untouched, and count as non-Chinese neighbours.
OPAQUE = re.compile(
    r"%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|\{\{.*?\}\}|\{%.*?%\}|\{\w*\}"
)


def is_chinese(char: str) -> bool:
    """A CJK ideograph or a full-width punctuation mark (both call for full-width neighbours)."""
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF


def _chars(text: str) -> list[tuple[str, bool]]:
    """The text as (piece, opaque) units: one per character, one per placeholder."""
    units: list[tuple[str, bool]] = []
    pos = 0
    for match in OPAQUE.finditer(text):
        units += [(c, False) for c in text[pos : match.start()]]
        units.append((match.group(), True))
        pos = match.end()
    units += [(c, False) for c in text[pos:]]
    return units


def _chinese_at(units: list[tuple[str, bool]], index: int) -> bool:
    if index < 0 or index >= len(units):
        return False
    piece, opaque = units[index]
    return not opaque and is_chinese(piece)


def _chinese_side(units: list[tuple[str, bool]], index: int) -> bool:
    """Whether the unit at index touches Chinese, looking past spaces on the right."""
    after = index + 1
    while after < len(units) and units[after] == (" ", False):
        after += 1
    return _chinese_at(units, index - 1) or _chinese_at(units, after)


def fix(text: str) -> str:
    """The text with the rule applied (returns it unchanged when it already complies)."""
    # A mark made full-width can make its neighbour adjacent to Chinese: repeat until stable.
    fixed = _fix_once(text)
    while fixed != text:
        text, fixed = fixed, _fix_once(fixed)
    return fixed


def _fix_once(text: str) -> str:
    units = _chars(text)
    out = [piece for piece, _ in units]
    opens: list[int] = []
    for i, (piece, opaque) in enumerate(units):
        if opaque:
            continue
        if piece in FULL_WIDTH and _chinese_side(units, i):
            out[i] = FULL_WIDTH[piece]
        elif piece == "(":
            opens.append(i)
        elif piece == ")" and opens:
            start = opens.pop()
            if _chinese_side(units, start) or _chinese_side(units, i):
                out[start], out[i] = "（", "）"
        elif piece == ")" and _chinese_side(units, i):
            out[i] = "）"
    for start in opens:  # an unmatched "(" next to Chinese
        if _chinese_side(units, start):
            out[start] = "（"
    # A full-width mark carries its own spacing: drop the half-width spaces around it.
    return re.sub(r" *([，：；！？（）]) *", r"\1", "".join(out))


def violations(text: str) -> bool:
    return fix(text) != text


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def _rewrite_sources(catalog, pairs: list[tuple[str, str]]) -> list[str]:
    """Rewrite the offending msgids at their locations; returns those not found."""
    missing: list[str] = []
    edits: dict[Path, list[tuple[str, str]]] = {}
    for message in catalog:
        for msgid in _ids(message.id):
            if not msgid or not violations(msgid):
                continue
            files = {ROOT / path for path, _ in message.locations}
            for path in files:
                edits.setdefault(path, []).append((msgid, fix(msgid)))
            pairs.append((msgid, fix(msgid)))
    for path, pairs in sorted(edits.items()):
        text = path.read_text(encoding="utf-8")
        for old, new in sorted(set(pairs), key=lambda pair: -len(pair[0])):
            if old in text:
                text = text.replace(old, new)
            else:
                missing.append(f"{path.relative_to(ROOT)}: {old!r}")
        path.write_text(text, encoding="utf-8")
    return missing


LITERAL = re.compile(r"""(?P<q>["'])(?P<body>[^"'\\\n]*?)(?P=q)""")


def _rewrite_tests(pairs: list[tuple[str, str]]) -> int:
    """Rewrite the test literals that quote (part of) a rewritten msgid; returns files changed.

    A literal is rewritten only when it is a part of an old msgid and its fixed form is a part
    of the new one, so test data that merely looks Chinese (names, free text) is left alone.
    """
    changed = 0

    def replace(match: re.Match[str]) -> str:
        body = match.group("body")
        if not violations(body):
            return match.group(0)
        for old, new in pairs:
            if body in old and fix(body) in new:
                return match.group("q") + fix(body) + match.group("q")
        return match.group(0)

    for path in sorted((ROOT / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        new_text = LITERAL.sub(replace, text)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
            changed += 1
    return changed


def _rewrite_catalogs() -> int:
    from babel.messages.pofile import read_po, write_po

    changed = 0
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        messages = [m for m in catalog if m.id]
        if not any(violations(i) for m in messages for i in _ids(m.id) if i):
            continue
        for message in messages:
            catalog.delete(message.id, message.context)
        for message in messages:
            ids = tuple(fix(i) for i in _ids(message.id))
            if ids != _ids(message.id):
                changed += 1
            message.id = ids if isinstance(message.id, tuple) else ids[0]
            if catalog.get(message.id, message.context) is None:
                catalog[message.id] = message
        for key in list(catalog.obsolete):
            obsolete = catalog.obsolete.pop(key)
            obsolete.id = tuple(fix(i) for i in obsolete.id) if isinstance(obsolete.id, tuple) else fix(obsolete.id)
            catalog.obsolete[obsolete.id if isinstance(obsolete.id, str) else obsolete.id[0]] = obsolete
        with po.open("wb") as handle:
            write_po(handle, catalog, width=76)
    return changed


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.check_translations import extract

    catalog = extract()
    offending = [i for m in catalog for i in _ids(m.id) if i and violations(i)]
    if "--check" in argv:
        for msgid in offending:
            print(f"{msgid!r} -> {fix(msgid)!r}")
        return 1 if offending else 0
    pairs: list[tuple[str, str]] = []
    missing = _rewrite_sources(catalog, pairs)
    changed = _rewrite_catalogs()
    tests = _rewrite_tests(pairs)
    print(f"{len(offending)} msgids rewritten in the sources, {changed} in the catalogues.")
    print(f"{tests} test files rewritten where they quote those msgids.")
    for line in missing:
        print(f"NOT FOUND (fix by hand): {line}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
