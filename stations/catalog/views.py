"""Catalogue pages (filled in by the catalogue work)."""

from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.route("/")
def index():
    return "catalogue"
