from __future__ import annotations

from django import forms
from django.utils import timezone

from statedata.exporters.workbook import MAX_UPLOAD_BYTES
from statedata.models import CATEGORY_CHOICES


class UploadForm(forms.Form):
    year = forms.IntegerField(label="数据年度", min_value=2000, max_value=2100)
    file = forms.FileField(label="状态数据工作簿（.xlsx）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件太大，不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
            )
        return upload


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label="学校类别", choices=CATEGORY_CHOICES)
