"""Locale selection: ?lang= switches and is remembered (session and cookie); Chinese by default."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

LANG_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    remembered = session.get("lang") or request.cookies.get(LANG_COOKIE)
    if remembered in languages:
        return remembered
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def request_translations():
    """Flask-Babel's translations, looked up once per request and locale rather than per string.

    A page calls gettext hundreds of times (every label of every row) and Flask-Babel resolves the locale and its
    catalogue on each call. The cache follows Flask-Babel's own: it is keyed by the locale object Flask-Babel holds
    for this context, which ``force_locale`` and ``refresh`` replace, so a switch is seen at once.
    """
    babel_ctx = g.get("_flask_babel")
    locale = getattr(babel_ctx, "babel_locale", None)
    cached = g.get("_stations_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    babel_ctx = g.get("_flask_babel")
    g._stations_translations = (getattr(babel_ctx, "babel_locale", None), translations)
    return translations


def install_template_gettext(app: Flask) -> None:
    """Templates' gettext through ``request_translations`` (the same catalogue Flask-Babel would pick)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )


def _bound_gettext(translations) -> dict:
    """gettext and ngettext bound to one catalogue, with Jinja's newstyle semantics (escape, then %-format)."""

    @pass_context
    def gettext(context, string, **variables):
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704 (our catalogue, as Jinja)

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704 (our catalogue, as Jinja)

    return {"gettext": gettext, "ngettext": ngettext}


def init_app(app: Flask) -> None:
    install_template_gettext(app)

    # Each render resolves the catalogue once (a page calls gettext hundreds of times). Macros imported without
    # context fall back to the globals installed above, which give the same answer a little slower.
    app.context_processor(lambda: _bound_gettext(request_translations()))

    @app.before_request
    def remember_language():
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"]:
            session["lang"] = asked

    @app.after_request
    def remember_language_cookie(response):
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"]:
            response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response
