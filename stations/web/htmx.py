"""Full page or named fragment from the same template (architecture.md §2.1, §2.2, §2.8).

Every HX-* response header the app sends is set here, so they can be found with grep.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block, render_blocks

VARY_HEADERS = ("HX-Request", "HX-Target")
STOP_POLLING = 286  # htmx stops polling on this status


# The htmx request headers are read through htmx-flask's ``request.htmx`` (extensions.htmx swaps in its request
# class): these helpers are the only readers, so the rules below are in one place.


def is_htmx() -> bool:
    return bool(request.htmx)


def is_boosted() -> bool:
    """A boosted navigation: an htmx request that wants a whole page."""
    return bool(request.htmx) and request.htmx.boosted


def hx_target() -> str | None:
    """The element an htmx action aims at; None for a plain, boosted or history-restore request (a page)."""
    htmx = request.htmx
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return None
    return htmx.target or None


def fragment_for(fragments: Mapping[str, str] | None) -> str | None:
    """The block to render for this request, or None for the full page.

    A boosted navigation or a history restore wants a whole page even though it is an
    htmx request; only a request aimed at a declared target gets a fragment.
    """
    target = hx_target()
    if not fragments or target is None:
        return None
    return fragments.get(target)


def add_vary(response: Response) -> Response:
    for header in VARY_HEADERS:
        response.vary.add(header)
    return response


def _check_status(status: object) -> None:
    """``status`` is the HTTP status, never a page's own variable of that name: a list filtered by ``?status=``
    once passed its filter here and answered "0 CANCELLED" with no error anywhere."""
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError(f"render(status=...) takes the HTTP status as an int, not {status!r}")


def render(
    template: str,
    fragments: Mapping[str, str] | None = None,
    status: int = 200,
    oob: Sequence[str] = (),
    **context,
) -> Response:
    """Render ``template`` whole, or only the block that the htmx target asks for.

    ``fragments`` maps DOM ids to block names; ``oob`` names extra blocks (out-of-band
    swaps) appended to a fragment answer.
    """
    _check_status(status)
    block = fragment_for(fragments)
    if block is None:
        body = render_template(template, **context)
    elif oob:
        body = render_blocks(template, [block, *oob], **context)
    else:
        body = render_block(template, block, **context)
    return add_vary(make_response(body, status))


def render_fragment(template: str, blocks: Sequence[str], status: int = 200, **context) -> Response:
    """Render the given blocks only (the answer to an in-place htmx action)."""
    _check_status(status)
    body = render_blocks(template, list(blocks), **context)
    return add_vary(make_response(body, status))


def hx_trigger(response: Response, events: Mapping[str, object]) -> Response:
    """Announce server events (kebab-case, domain noun first: ``case-updated``)."""
    existing = response.headers.get("HX-Trigger")
    merged = json.loads(existing) if existing else {}
    merged.update(events)
    response.headers["HX-Trigger"] = json.dumps(merged, ensure_ascii=False)
    return response


def hx_location(url: str) -> Response:
    """Send an htmx request elsewhere as a boosted navigation would."""
    response = make_response("", 200)
    response.headers["HX-Location"] = url
    return response


def hx_redirect(url: str) -> Response:
    """Make htmx load ``url`` as a plain browser request (an attachment downloads; the page stays)."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    return response


def hx_push_url(response: Response, url: str) -> Response:
    """Put ``url`` in the address bar after an in-place swap (a new record now has its own page)."""
    response.headers["HX-Push-Url"] = url
    return response


def hx_retarget(response: Response, target: str, swap: str = "innerHTML") -> Response:
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = swap
    return response
