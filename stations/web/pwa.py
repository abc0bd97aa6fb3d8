"""The installable web app's two files at the site's root: the service worker (its scope must cover the pages it
serves offline, so it cannot live under /static/) and the manifest."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("pwa", __name__)


@bp.get("/sw.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # a new worker reaches the tablets at their next visit
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    return send_from_directory(current_app.static_folder, "manifest.webmanifest", mimetype="application/manifest+json")
