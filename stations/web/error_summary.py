"""What a failed form's error summary lists (templates/macros/forms.html ``error_summary``, GOV.UK pattern).

Each entry is (the id of the field to fix, or None for a message about the whole form; the message). The
template links an entry to its field; app.js focuses the summary once the 422 answer is swapped in.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from wtforms import Form

SummaryEntry = tuple[str | None, str]

# Fields the user cannot see or change: their errors are about the whole form, with no link.
_UNLINKED_TYPES = frozenset({"CSRFTokenField", "HiddenField"})


def form_entries(form: Form) -> list[SummaryEntry]:
    """One entry per field in error, in the form's order, linked to the field."""
    entries: list[SummaryEntry] = []
    for field in form:
        if field.errors:
            target = None if field.type in _UNLINKED_TYPES else field.id
            entries.append((target, " ".join(str(error) for error in field.errors)))
    return entries


def summary_entries(
    general: Iterable[str] = (), fields: Iterable[SummaryEntry] = (), form: Form | None = None
) -> list[SummaryEntry]:
    """The whole-form messages first, then each field's (given ones, then the form's own)."""
    entries: list[SummaryEntry] = [(None, str(message)) for message in general]
    entries.extend(fields)
    if form is not None:
        entries.extend(form_entries(form))
    return entries


def material_entries(materials: Iterable, errors: dict[int, str]) -> list[SummaryEntry]:
    """A checklist's errors (intake, online application), in the checklist's order, linked to each file input."""
    return [
        (f"f{m.id}", _("%(name)s：%(error)s", name=m.name, error=errors[m.id])) for m in materials if m.id in errors
    ]
