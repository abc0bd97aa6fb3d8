"""Shared WTForms validators that wrap the pure identifier checks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from ..domain import identifiers


class CreditCode:
    """统一社会信用代码 with its GB 32100 check digit."""

    def __init__(self, message: str | None = None):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            return
        normalised = identifiers.normalise(field.data)
        if not identifiers.is_valid_uscc(normalised):
            raise ValidationError(self.message or _l("统一社会信用代码无效，请核对（18位，含校验位）。"))
        field.data = normalised


class ResidentId:
    """居民身份证号码 with its GB 11643 check digit."""

    def __init__(self, message: str | None = None):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            return
        normalised = identifiers.normalise(field.data)
        if not identifiers.is_valid_resident_id(normalised):
            raise ValidationError(self.message or _l("身份证号码无效，请核对（18位，含校验位）。"))
        field.data = normalised
