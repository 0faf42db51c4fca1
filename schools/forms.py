"""Staff forms for the expert pool (R19): the expert, their declared ties, their years."""

from django import forms

from schools.models import Expert, ExpertAvailability, ExpertConflict


class DateInput(forms.DateInput):
    input_type = "date"


class ExpertForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = ["name", "employer", "title", "kind", "school", "active"]
        help_texts = {
            "school": "专家在某所高职院校工作时选择，该校复核时自动回避。",
            "active": "取消勾选即移出专家库（记录保留）。",
        }

    def clean(self):
        from accounts.services.onboarding import PHONE_RE

        cleaned = super().clean()
        for field in ("name", "employer", "title"):
            if PHONE_RE.search(cleaned.get(field) or ""):
                self.add_error(field, "不要填写电话号码。")
        return cleaned


class ConflictForm(forms.ModelForm):
    class Meta:
        model = ExpertConflict
        fields = ["school", "kind", "started_on", "ended_on", "note"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_on"), cleaned.get("ended_on")
        if start and end and start > end:
            self.add_error("ended_on", "结束日期不能早于开始日期。")
        return cleaned


class AvailabilityForm(forms.ModelForm):
    year = forms.IntegerField(label="年度", min_value=2015, max_value=2100)

    class Meta:
        model = ExpertAvailability
        fields = ["year", "available", "note"]
        labels = {"available": "该年度可以参加复核"}

    def validate_unique(self):
        """One row per expert and year: saving a year again updates it (see the view)."""
