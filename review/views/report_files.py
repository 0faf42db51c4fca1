"""A report's files: the PDF laid out like 附件3, the Excel export and its import (R5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from review import selectors
from review.exporters.excel import MAX_UPLOAD_BYTES
from review.exporters.pdf import render_report_pdf
from review.exporters.report_xlsx import export_report_xlsx
from review.exporters.report_xlsx_import import parse_report_xlsx
from review.forms import (
    ImportForm,
)
from review.permissions import (
    get_report_for_user,
    get_report_for_writer,
)
from review.services import self_diagnosis as service
from zhengai.http import file_response


@login_required
@require_GET
def pdf(request, pk: int):
    report = get_report_for_user(request.user, pk)
    return file_response(render_report_pdf(selectors.report_data(report)))


@login_required
@require_GET
def xlsx(request, pk: int):
    report = get_report_for_user(request.user, pk)
    stamp = selectors.export_stamp(report)
    return file_response(export_report_xlsx(selectors.report_data(report), stamp=stamp))


# An import must know what the file's texts were based on, or it could overwrite newer work.
UNSTAMPED_FILE = (
    "这份文件没有记录导出时的版本（可能是旧版本系统导出的文件，或另行制作的表格），"
    "为避免覆盖同事在网页上的新修改，不能导入。请重新“导出 Excel”，"
    "把要导入的文字复制到新文件中保存后再导入。"
)


OTHER_REPORT_FILE = "这份文件是从另一份报告导出的，不能导入本报告；请从本报告页面“导出 Excel”。"


@login_required
def import_xlsx(request, pk: int):
    report = get_report_for_writer(request.user, pk)
    errors: list[str] = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if not report.is_draft:
            errors = ["报告已提交并锁定，不能导入。"]
        else:
            upload = form.cleaned_data["file"]
            codes = [e.element.code for e in report.entries.select_related("element")]
            # Read at most one byte past the limit: a huge upload is refused, never loaded.
            result = parse_report_xlsx(upload.read(MAX_UPLOAD_BYTES + 1), element_codes=codes)
            errors = result.error_lines()
            if not errors and result.stamp is None:
                errors = [UNSTAMPED_FILE]
            elif not errors and result.stamp.report_id != report.pk:
                errors = [OTHER_REPORT_FILE]
            if not errors:
                try:
                    saved = service.import_rows(
                        self_diagnosis=report,
                        user=request.user,
                        rows=result.rows,
                        revisions=result.stamp.revisions,
                    )
                except service.ReportLocked as exc:
                    errors = exc.messages
                except ValidationError as exc:
                    errors = [m for ms in exc.message_dict.values() for m in ms]
                else:
                    _import_message(request, saved)
                    return redirect("review:report", pk=pk)
    return render(
        request,
        "review/import.html",
        {"report": report, "form": form, "errors": errors},
        status=400 if errors or form.errors else 200,
    )


def _import_message(request, result: service.SaveResult) -> None:
    if result.conflicts:
        messages.warning(
            request,
            f"导入完成：{result.saved} 个诊断要素已更新；{len(result.conflicts)} 个要素在导出后"
            "已被同事在网页上修改，文件中的文字已单独保留，没有覆盖同事的内容，"
            "请在标出的位置比较并处理。",
        )
    else:
        messages.success(request, f"导入成功：{result.saved} 个诊断要素的内容已更新。")
