"""The catalogue's search form: a GET form (no CSRF), read from the query string."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SearchField, SelectField
from wtforms.fields.choices import SelectChoice

MAX_QUERY_LENGTH = 50  # the same cut as catalog.queries.search_terms

KIND_INSTANT = "instant"
KIND_COMMITTED = "committed"


def _strip(value: str | None) -> str:
    return (value or "").strip()[:MAX_QUERY_LENGTH]


class CatalogFilterForm(Form):
    """Search text, department and 即办/承诺. Unknown values are ignored, never an error."""

    q = SearchField(
        _l("搜索事项"),
        id="catalog-search",
        filters=[_strip],
        render_kw={
            "maxlength": MAX_QUERY_LENGTH,
            "autocomplete": "off",
            "enterkeyhint": "search",
            "placeholder": _l("如：社保卡、sbk、营业执照"),
        },
    )
    dept = SelectField(_l("部门"), id="catalog-dept", choices=[SelectChoice("", _l("全部部门"))], validate_choice=False)
    kind = SelectField(
        _l("办件类型"),
        id="catalog-kind",
        choices=[
            SelectChoice("", _l("全部类型")),
            SelectChoice(KIND_INSTANT, _l("即办件")),
            SelectChoice(KIND_COMMITTED, _l("承诺件")),
        ],
        validate_choice=False,
    )

    def set_departments(self, departments) -> None:
        self.dept.choices = [SelectChoice("", _l("全部部门"))] + [SelectChoice(d.code, d.name) for d in departments]

    @property
    def department_code(self) -> str | None:
        return (self.dept.data or "").strip() or None

    @property
    def is_instant(self) -> bool | None:
        return {KIND_INSTANT: True, KIND_COMMITTED: False}.get(self.kind.data or "")
