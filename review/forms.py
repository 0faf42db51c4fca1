"""Forms of the self-diagnosis pages; every message is Chinese and sits by its field."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from review.services.rules import PANEL_MINIMUM

FIRST_YEAR = 2017  # 诊改 began with 附件2's 2017 plan
# Cycles may be set up two cycles ahead; anything later is a typo or a tampered form.
CYCLE_YEARS_AHEAD = 6


class YearField(forms.IntegerField):
    """A year from ``FIRST_YEAR`` to this year plus ``ahead``, judged on the day it is posted."""

    def __init__(self, *, ahead: int, first: int = FIRST_YEAR, **kwargs):
        self.ahead, self.first = ahead, first
        kwargs.setdefault(
            "error_messages",
            {"required": "请填写年度。", "invalid": "请填写四位数字的年度，如 2026。"},
        )
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        last = timezone.localdate().year + self.ahead
        if not self.first <= value <= last:
            raise forms.ValidationError(f"年度应在 {self.first} 至 {last} 年之间。")


class OpenReportForm(forms.Form):
    year = YearField(label="年度", ahead=1)


class RulesUploadForm(forms.Form):
    year = YearField(label="年度", ahead=1)
    document = forms.FileField(
        label="实施细则文件（PDF 或 Word）",
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。"},
    )


class PanelMemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    employer = forms.CharField(label="工作单位", max_length=100, required=False)
    external = forms.BooleanField(label="校外专家", required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("employer"):
            self.add_error("employer", "请填写工作单位。")
        if data.get("employer") and not data.get("name"):
            self.add_error("name", "请填写姓名。")
        return data


class BasePanelFormSet(forms.BaseFormSet):
    def members(self) -> list[dict]:
        """The filled rows, in order; blank rows are ignored."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("name")
        ]


PanelFormSet = forms.formset_factory(
    PanelMemberForm, formset=BasePanelFormSet, extra=0, min_num=PANEL_MINIMUM, max_num=60
)


class SubmitForm(forms.Form):
    principal_name = forms.CharField(
        label="校长（签字）", max_length=50, error_messages={"required": "请填写校长姓名。"}
    )
    signed_on = forms.DateField(
        label="签字日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写签字日期。", "invalid": "日期格式不对。"},
    )

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError("签字日期不能晚于今天。")
        if signed_on.year < FIRST_YEAR:
            raise forms.ValidationError(f"签字日期不能早于 {FIRST_YEAR} 年。")
        return signed_on


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="退回原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "请填写退回原因。"},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）", error_messages={"required": "请选择 .xlsx 文件。"}
    )


class SchoolPointForm(forms.Form):
    element = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="本校诊断点", max_length=100)
    description = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Re-check planning ----------------------------------------------------------------------


class CycleForm(forms.Form):
    start_year = YearField(label="起始年度", first=2020, ahead=CYCLE_YEARS_AHEAD)


class SuggestForm(forms.Form):
    seed = forms.IntegerField(label="随机种子", min_value=0, max_value=2**31 - 1)


class ScheduleForm(forms.Form):
    start_date = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写开始日期。", "invalid": "日期格式不对。"},
    )
    end_date = forms.DateField(
        label="结束日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写结束日期。", "invalid": "日期格式不对。"},
    )
    reason = forms.CharField(
        label="调整原因（改期时必填）",
        required=False,
        max_length=500,
        widget=forms.TextInput(),
    )


class AssignForm(forms.Form):
    expert = forms.IntegerField(label="专家", error_messages={"required": "请选择专家。"})
    reason = forms.CharField(label="调整原因", max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=300, error_messages={"required": "请填写原因。"}
    )


class CertifyForm(forms.Form):
    decision = forms.ChoiceField(
        label="声明",
        choices=[
            ("no_conflict", "我与该校无利益冲突，并承诺不接受该校诊改辅导、讲座等活动邀请"),
            ("conflict", "我与该校存在利益冲突，申请退出该校复核"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择一项声明。"},
    )
    statement = forms.CharField(
        label="冲突说明（申报冲突时必填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MaterialForm(forms.Form):
    kind = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.FileField(
        label="文件（PDF、Word 或 Excel，≤ 50 MB）",
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。"},
    )
