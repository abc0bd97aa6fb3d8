"""Every msgid in the code and templates must have an English translation.

Run as ``.venv/bin/python -m tests.check_translations``: it extracts the messages into a temporary
.pot exactly as ``make translations-extract`` does, compares them with the English catalogue and
lists the msgids that are missing from it, untranslated, fuzzy or whose placeholders differ.
Exit status 1 when there is anything to fix. To fix: ``make translations-update``, translate the
empty ``msgstr`` entries in ``stations/translations/en/LC_MESSAGES/messages.po``, run this again.

``compile_stale_catalogs()`` compiles the .po files whose .mo is missing or older (as
``make translations`` does), so that a plain ``pytest`` in a fresh checkout serves English.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "stations" / "translations"
EN_CATALOG = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
# Keep in step with the Makefile's translations-extract target.
KEYWORDS = ("_l", "lazy_gettext")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def extract() -> Catalog:
    """The messages currently used by the code and templates (a fresh .pot)."""
    with tempfile.TemporaryDirectory(prefix="stations-pot-") as tmp:
        pot = Path(tmp) / "messages.pot"
        args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot)]
        for keyword in KEYWORDS:
            args += ["-k", keyword]
        CommandLineInterface().run([*args, str(ROOT)])
        with pot.open("rb") as handle:
            return read_po(handle)


def _is_empty(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not all(s and s.strip() for s in strings)


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return path


def _label(message: Message) -> str:
    msgid = message.id if isinstance(message.id, str) else " | ".join(message.id)
    where = ", ".join(f"{_relative(path)}:{line}" for path, line in message.locations[:3])
    return f"{msgid!r} ({where})" if where else repr(msgid)


def find_problems(catalog_path: Path = EN_CATALOG) -> list[str]:
    """One line per msgid that is not translated correctly in the catalogue; empty when all is well."""
    if not catalog_path.exists():
        return [f"{catalog_path.relative_to(ROOT)} does not exist"]
    template = extract()
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    problems = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id, wanted.context)
        if message is None:
            problems.append(f"missing: {_label(wanted)}")
        elif _is_empty(message):
            problems.append(f"empty:   {_label(wanted)}")
        elif message.fuzzy:
            problems.append(f"fuzzy:   {_label(wanted)}")
        elif _placeholders_differ(wanted, message):
            problems.append(f"format:  {_label(wanted)}: placeholders differ from the msgid")
    return problems


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def _placeholders_differ(wanted: Message, message: Message) -> bool:
    """Every translation must use exactly the msgid's %-placeholders (Babel's own check allows fewer)."""
    if not wanted.python_format:
        return False
    ids = [wanted.id] if isinstance(wanted.id, str) else list(wanted.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    expected = {tuple(_placeholders(msgid)) for msgid in ids}
    return any(tuple(_placeholders(string)) not in expected for string in strings)


def compile_stale_catalogs() -> None:
    """Write messages.mo next to every messages.po that is newer than it (or has none)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=True)


def main() -> int:
    problems = find_problems()
    for line in problems:
        print(line)
    if problems:
        print(f"\n{len(problems)} message(s) to fix in {EN_CATALOG.relative_to(ROOT)}", file=sys.stderr)
        return 1
    print(f"all messages translated in {EN_CATALOG.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
