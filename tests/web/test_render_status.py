"""render() and render_fragment() take the HTTP status as an int and refuse anything else, loudly.

A view once passed its ``?status=`` filter under that name; the answer was "0 CANCELLED" with no page and no error
(tests/meetings/test_status_filter.py is that page's own test). A wrong status is now a TypeError at the call.
"""

from __future__ import annotations

import pytest

from stations.web.htmx import render, render_fragment


@pytest.mark.parametrize("status", ["CANCELLED", "200", None, True])
def test_a_status_that_is_not_an_int_is_refused(app, status):
    with app.test_request_context("/"):
        with pytest.raises(TypeError, match="HTTP status"):
            render("errors/error.html", status=status)
        with pytest.raises(TypeError, match="HTTP status"):
            render_fragment("errors/error.html", [], status=status)


def test_an_int_status_is_the_answers_status(app):
    with app.test_request_context("/"):
        assert render("errors/error.html", status=404).status_code == 404
