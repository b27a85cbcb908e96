from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from taizhang.core.textcheck import clean_form_text

from .models import PartyOrgType, Unit, UnitKind, User
from .roles import AdminRole, Role


class CleanTextForm(forms.Form):
    """Text fields hold no control characters, invisible marks or emoji."""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        clean_form_text(self)
        return cleaned


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败 5 次将锁定账号 30 分钟。",
        "inactive": "该账号已停用。",
    }


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="当前密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确。", code="password_incorrect")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        if p1 and data.get("old_password") == p1:
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return data


class UnitForm(CleanTextForm):
    code = forms.SlugField(label="代码", max_length=40, help_text="英文字母、数字或连字符，如 demo-dist")
    name = forms.CharField(label="全称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40)
    kind = forms.ChoiceField(label="类别", choices=UnitKind.choices)
    party_org_name = forms.CharField(label="党组织名称", max_length=100, required=False)
    party_org_type = forms.ChoiceField(
        label="党组织类型", choices=[("", "按名称判断"), *PartyOrgType.choices], required=False
    )
    parent = forms.ModelChoiceField(label="上级单位", queryset=Unit.objects.all(), required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class AccountForm(CleanTextForm):
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.-]{3,40}$",
        max_length=40,
        error_messages={"invalid": "用户名只能使用 3～40 位英文字母、数字、下划线、点或连字符。"},
    )
    full_name = forms.CharField(label="姓名", max_length=50)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="首次登录时须修改。")


class AccountEditForm(CleanTextForm):
    full_name = forms.CharField(label="姓名", max_length=50)
    is_active = forms.BooleanField(label="启用", required=False)


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label="临时密码", widget=forms.PasswordInput, help_text="对方下次登录时须修改。"
    )


class GrantForm(CleanTextForm):
    user = forms.ModelChoiceField(label="人员", queryset=User.objects.filter(is_active=True, admin_role=""))
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.filter(is_active=True))
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    title = forms.CharField(label="职务", max_length=50, required=False)


class AdminRoleForm(forms.Form):
    user = forms.ModelChoiceField(label="账号", queryset=User.objects.filter(is_active=True))
    admin_role = forms.ChoiceField(label="管理员角色", choices=AdminRole.choices, required=False)


class AuditFilterForm(forms.Form):
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    person = forms.CharField(label="操作人", required=False)
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.all(), required=False)
    action = forms.ChoiceField(label="动作", required=False)

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部"), *actions]  # type: ignore[attr-defined]
