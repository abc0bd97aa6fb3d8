"""Absolute URLs from configuration (PUBLIC_URL), never from the request's Host header (issue 18)."""

from __future__ import annotations

from flask import current_app, url_for


def public_base() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` made absolute with the configured public URL."""
    return public_base() + url_for(endpoint, **values)
