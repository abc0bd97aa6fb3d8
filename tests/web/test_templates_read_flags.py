"""Templates read flags computed in Python, never copies of role or status sets (architecture.md §6).

A role check or a set of statuses written into a template is a second copy of a rule that lives in stations/access
or stations/domain: the page and the guard drift apart (a button shown to a role the view refuses, a promised date
shown for a closed appeal). The view or presenter computes a named flag; the template reads it. This sweep keeps new
copies out. A single-state comparison that picks the shape of one form (``event.value == 'forward'``) is not a set
and is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORBIDDEN = {
    "a role decided in a template": re.compile(r"\.role\.value\b|\.role\s*(?:==|!=|\bin\b|\bis\b)"),
    "a set of statuses copied into a template": re.compile(r"\.(?:status|state)\.value\s+(?:not\s+)?in\s*[(\[]"),
}


def template_lines():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            yield path.relative_to(TEMPLATES), number, line


def test_the_sweep_sees_the_templates():
    assert sum(1 for _ in TEMPLATES.rglob("*.html")) > 100


@pytest.mark.parametrize("what", list(FORBIDDEN))
def test_no_template_copies_a_rule(what):
    pattern = FORBIDDEN[what]
    found = [f"{path}:{number}: {line.strip()}" for path, number, line in template_lines() if pattern.search(line)]
    assert not found, f"{what} (compute a flag in the view or presenter):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("{% if user.role.value == 'STAFF' %}", "a role decided in a template"),
        ("{% if current_user.role.value in ('CENTRAL', 'ADMIN') %}", "a role decided in a template"),
        ("{% if case.status.value in ('RECEIVED', 'FORWARDED') %}", "a set of statuses copied into a template"),
        (
            "{%- for row in rows if row.p.status.value not in ('DONE', 'CLOSED_OUT') %}",
            "a set of statuses copied into a template",
        ),
    ],
)
def test_the_patterns_catch_what_they_are_for(line, what):
    assert FORBIDDEN[what].search(line)


@pytest.mark.parametrize(
    "line",
    [
        "{% if may_receive %}",
        "{% if event.value == 'forward' %}",
        "{% elif step.record.actor_role == 'PARTNER' %}",
        "<dd>{{ role_labels[user.role] }}</dd>",
    ],
)
def test_the_patterns_leave_flags_and_single_form_shapes_alone(line):
    assert not any(pattern.search(line) for pattern in FORBIDDEN.values())
