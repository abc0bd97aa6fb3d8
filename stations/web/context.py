"""Values every template sees."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import get_locale

# htmx settings (architecture.md §2.3, §2.4): swap 422 form errors, route other 4xx to the
# error handling, never eval, no inline indicator styles (the CSP forbids them).
HTMX_CONFIG = {
    "historyRestoreAsHxRequest": False,
    "includeIndicatorStyles": False,
    "allowEval": False,
    "allowScriptTags": False,
    "selfRequestsOnly": True,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "304", "swap": False},  # a polled fragment that has not changed (web/caching.py)
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "409", "swap": True, "error": False},
        {"code": "[4]..", "swap": True, "error": True},
        {"code": "...", "swap": False, "error": True},
    ],
}


def init_app(app: Flask) -> None:
    htmx_config = json.dumps(HTMX_CONFIG)

    @app.context_processor
    def inject_globals():
        def lang_url(lang: str) -> str:
            args = request.args.to_dict()
            args["lang"] = lang
            return f"{request.path}?{urlencode(args)}"

        return {
            "htmx_config": htmx_config,
            "current_lang": str(get_locale() or "zh"),
            "lang_url": lang_url,
        }
