"""Counts in English agree with their number: "1 working day left", "3 working days left"."""

from __future__ import annotations

import pytest
from flask import g, render_template_string
from flask_babel import refresh


def _render(app, lang: str, template: str, **values) -> str:
    """Render in a request asking for ``lang``; the locale cached on g is dropped before and after."""
    with app.test_request_context(f"/?lang={lang}"):
        refresh()
        g.pop("_stations_translations", None)
        try:
            return render_template_string(template, **values)
        finally:
            refresh()
            g.pop("_stations_translations", None)


@pytest.mark.parametrize(
    ("count", "english"),
    [(1, "1 working day left"), (3, "3 working days left"), (0, "0 working days left")],
)
def test_working_days_left_is_plural_correct_in_english(app, count, english):
    template = "{{ ngettext('剩 %(n)s 个工作日', '剩 %(n)s 个工作日', count, n=count) }}"
    assert _render(app, "en", template, count=count) == english
    assert _render(app, "zh", template, count=count) == f"剩 {count} 个工作日"


def test_catalogue_counts_in_working_days_have_both_plural_forms(app):
    template = "{{ ngettext('%(n)s 个工作日', '%(n)s 个工作日', count, n=count) }}"
    assert _render(app, "en", template, count=1) == "1 working day"
    assert _render(app, "en", template, count=10) == "10 working days"
