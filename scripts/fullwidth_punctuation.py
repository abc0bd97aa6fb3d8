"""Full-width punctuation in the Chinese interface text (GB/T 15834), found and fixed (issue 19).

Chinese sentences take full-width ，：；！？（） where the source had slipped into half-width , : ; ! ? ( ).
The rule: a half-width , : ; ! ? is wrong when the character before or after it (skipping spaces) is Chinese
(Chinese punctuation included); a bracket pair is converted whole when it follows Chinese or holds Chinese. Placeholders (``%(n)s``, ``{0}``), times and
numbers (``09:30``, ``1,000``) and ASCII-only text are left alone.

    .venv/bin/python -m scripts.fullwidth_punctuation          # list what would change
    .venv/bin/python -m scripts.fullwidth_punctuation --apply  # rewrite the sources and the catalogues

``--apply`` rewrites each affected msgid where it is written (templates, stations/, tests/ string literals that
are exactly a msgid) and renames it in every .po, keeping its translation. It is idempotent.
``tests/test_writing.py`` fails while the catalogue holds a msgid that ``fix`` would change.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted((ROOT / "stations" / "translations").glob("*/LC_MESSAGES/messages.po"))
SOURCE_GLOBS = ("templates/**/*.html", "stations/**/*.py", "tests/**/*.py")

FULL_WIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
# Kept as they are: %-placeholders, {}-fields, and HTML tags or entities inside a message.
PROTECTED = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]|%[sdif%]|\{[^{}]*\}|<[^<>]*>|&\w+;")
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _is_chinese(char: str | None) -> bool:
    return bool(char) and bool(CHINESE.match(char))


def _neighbours(text: str, index: int, protected: set[int]) -> tuple[str | None, str | None]:
    """The nearest non-space characters before and after ``index`` (a placeholder counts as non-Chinese)."""
    before = after = None
    i = index - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    if i >= 0:
        before = "x" if i in protected else text[i]
    j = index + 1
    while j < len(text) and text[j] == " ":
        j += 1
    if j < len(text):
        after = "x" if j in protected else text[j]
    return before, after


def fix(text: str) -> str:
    """``text`` with its half-width marks next to Chinese made full-width (spaces around them dropped)."""
    fixed = _fix_once(text)
    while fixed != text:  # a mark after a bracket just made full-width: 暂定): -> 暂定）：
        text, fixed = fixed, _fix_once(fixed)
    return fixed


def _fix_once(text: str) -> str:
    protected = {i for match in PROTECTED.finditer(text) for i in range(match.start(), match.end())}
    wrong: set[int] = set()
    openings: list[int] = []
    pairs: dict[int, int] = {}
    for i, char in enumerate(text):
        if i in protected or char not in FULL_WIDTH:
            continue
        if char == "(":
            openings.append(i)
        elif char == ")" and openings:
            pairs[openings.pop()] = i
        before, after = _neighbours(text, i, protected)
        if char == "(":
            chinese = _is_chinese(before)  # 导出菜单 (xlsx); not http(s) 地址
        elif char == ")":
            chinese = _is_chinese(before)  # (选填); a pair with Chinese inside is caught by its last character
        else:
            chinese = _is_chinese(before) or _is_chinese(after)
            if char in ",:" and before and after and before.isdigit() and after.isdigit():
                chinese = False  # 1,000 and 09:30
        if chinese:
            wrong.add(i)
    for opening, closing in pairs.items():
        if opening in wrong or closing in wrong or CHINESE.search(text[opening:closing]):
            wrong.update((opening, closing))
    if not wrong:
        return text
    out: list[str] = []
    skip_spaces = False
    for i, char in enumerate(text):
        if skip_spaces and char == " " and i not in protected:
            continue
        skip_spaces = False
        if i in wrong:
            while out and out[-1] == " ":
                out.pop()  # full-width marks carry their own space
            out.append(FULL_WIDTH[char])
            skip_spaces = True
        else:
            out.append(char)
    return "".join(out)


def catalogue_ids() -> list[str]:
    from babel.messages.pofile import read_po

    with CATALOGS[0].open("rb") as handle:
        catalog = read_po(handle)
    ids: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        ids.extend(message.id if isinstance(message.id, tuple) else [message.id])
    return ids


def wrong_ids() -> dict[str, str]:
    return {msgid: fix(msgid) for msgid in catalogue_ids() if fix(msgid) != msgid}


def _rewrite_sources(changes: dict[str, str]) -> int:
    count = 0
    # Longest first, so a msgid that contains another is replaced whole.
    ordered = sorted(changes.items(), key=lambda item: -len(item[0]))
    for pattern in SOURCE_GLOBS:
        for path in ROOT.glob(pattern):
            if path.resolve() == Path(__file__).resolve():
                continue
            text = path.read_text(encoding="utf-8")
            new = text
            for old, fixed in ordered:
                for quote in ("'", '"'):
                    new = new.replace(f"{quote}{old}{quote}", f"{quote}{fixed}{quote}")
            if new != text:
                path.write_text(new, encoding="utf-8")
                count += 1
    return count


LITERAL = re.compile(r"""(?P<q>["'])(?P<body>[^"'\n]*[\u4e00-\u9fff][^"'\n]*)(?P=q)""")


def _rewrite_test_fragments(changes: dict[str, str]) -> int:
    """Tests quote pieces of messages ("文件尚未保存,请重新选择" of a longer msgid): fix a piece when the fixed
    message holds the fixed piece."""
    count = 0
    for path in ROOT.glob("tests/**/*.py"):
        text = path.read_text(encoding="utf-8")

        def replace(match: re.Match) -> str:
            body = match.group("body")
            fixed = fix(body)
            if fixed == body:
                return match.group(0)
            for old, new in changes.items():
                if body in old and fixed in new:
                    return f"{match.group('q')}{fixed}{match.group('q')}"
            return match.group(0)

        new_text = LITERAL.sub(replace, text)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
            count += 1
    return count


def _rename_in_catalogs(changes: dict[str, str]) -> None:
    from babel.messages.pofile import read_po, write_po

    for path in CATALOGS:
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in list(catalog):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if not any(i in changes for i in ids):
                continue
            new_ids = tuple(changes.get(i, i) for i in ids)
            new_id = new_ids if isinstance(message.id, tuple) else new_ids[0]
            existing = catalog.get(new_id, message.context)
            catalog.delete(message.id, context=message.context)
            if existing is None:
                catalog.add(
                    new_id,
                    message.string,
                    locations=message.locations,
                    flags=message.flags,
                    auto_comments=message.auto_comments,
                    user_comments=message.user_comments,
                    context=message.context,
                )
        out = io.BytesIO()
        write_po(out, catalog, width=76)
        path.write_bytes(out.getvalue())


def main(argv: list[str]) -> int:
    changes = wrong_ids()
    for old, fixed in changes.items():
        print(f"{old}\n  -> {fixed}")
    print(f"{len(changes)} msgids with half-width punctuation next to Chinese")
    if "--apply" in argv and changes:
        files = _rewrite_sources(changes)
        files += _rewrite_test_fragments(changes)
        _rename_in_catalogs(changes)
        print(f"rewrote {files} source files and {len(CATALOGS)} catalogues")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
