"""Station pages."""

from flask import Blueprint

bp = Blueprint("sites", __name__, url_prefix="/stations")
