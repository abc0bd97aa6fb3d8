"""Login form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(_l("确认新密码"), validators=[DataRequired(), Length(max=256)])

    def validate_current_password(self, field):
        from flask_login import current_user
        from werkzeug.security import check_password_hash
        from wtforms.validators import ValidationError

        if not check_password_hash(current_user.password_hash, field.data):
            raise ValidationError(_l("当前密码不正确。"))

    def validate_new_password(self, field):
        from flask import current_app
        from flask_login import current_user
        from wtforms.validators import ValidationError

        from ..domain.passwords import password_problems

        problems = password_problems(
            field.data, current_app.config["PASSWORD_PROFILE"], context_words=[current_user.username]
        )
        if problems:
            raise ValidationError(problems[0])

    def validate_confirm_password(self, field):
        from wtforms.validators import ValidationError

        if field.data != self.new_password.data:
            raise ValidationError(_l("两次输入的新密码不一致。"))
