"""The notice form: the same field rules for the page and every other caller of notice_issue."""

from __future__ import annotations

from typing import Any

from django import forms

from taizhang.core.textcheck import clean_form_text
from taizhang.reports.models import KIND_CHOICES

from .models import REPORT_KIND_CHOICES, Response

# only documents a unit sends upward
DOCUMENT_KINDS = [
    (k, label) for k, label in KIND_CHOICES if k in ("half-year", "annual", "analysis", "assessment")
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    deadline = forms.DateField(
        label="报送时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    response = forms.ChoiceField(label="报送内容", choices=Response.choices, initial=Response.DOCUMENT)
    document_kind = forms.ChoiceField(
        label="文书类型", choices=[("", "请选择"), *DOCUMENT_KINDS], required=False,
        help_text="报送内容为台账生成的文书时选择；下级单位选用本单位已定稿的版本，也可上传文件。",
    )  # fmt: skip
    figures = forms.CharField(
        label="填报项目", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="报送内容为填报数字时，每行写一项，如：集中学习次数。",
    )  # fmt: skip
    report_kind = forms.ChoiceField(
        label="审核通过后记入下级单位报告与督查台账", choices=[("", "不记入"), *REPORT_KIND_CHOICES], required=False,
        help_text="如半年专题报告：通过后自动登记，报送日期即为报告日期。",
    )  # fmt: skip
    to_all = forms.BooleanField(label="全部下级单位", required=False)
    recipients = forms.MultipleChoiceField(
        label="接收单位", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    attachments = MultipleFileField(label="附件", required=False)
    rule_id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    rule_year = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["recipients"].choices = [  # type: ignore[attr-defined]
            (str(u.pk), ("　" * max(0, u.depth - 1)) + u.name) for u in self.units.values()
        ]

    def visible_fields(self) -> list[Any]:
        """The shared field layout renders everything but the recipients, which the page lays out
        as units (a count of units, the whole subtree in one tick)."""
        return [f for f in super().visible_fields() if f.name not in ("to_all", "recipients")]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        clean_form_text(self)
        if not self.cleaned_data.get("to_all") and not self.cleaned_data.get("recipients"):
            self.add_error("recipients", "请选择接收单位，或勾选“全部下级单位”。")
        return cleaned

    def chosen_units(self) -> Any:
        if self.cleaned_data.get("to_all"):
            return None
        return [self.units[pk] for pk in self.cleaned_data["recipients"]]
