"""What every /api/v1 handler shares: ``ApiError`` (raised to answer a JSON error) and ``json_response``."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app


class ApiError(Exception):
    """Raised inside a route to answer a JSON error (status, code, message)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_response(data: Any, status: int = 200) -> Response:
    """JSON in the contract's key order, Chinese kept readable (UTF-8, not \\u escapes)."""
    body = current_app.json.dumps(data, ensure_ascii=False, sort_keys=False)
    return current_app.response_class(body + "\n", status=status, mimetype="application/json")
