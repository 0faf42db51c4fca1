"""Made-up onboarding workbooks (R22: no real people, no phone numbers)."""

import io

from openpyxl import load_workbook

from accounts.services.onboarding import CONTACTS, EXPERTS, template_xlsx


def workbook_bytes(contacts=(), experts=(), *, formula_at=None) -> bytes:
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    for title, rows in ((CONTACTS, contacts), (EXPERTS, experts)):
        for row in rows:
            workbook[title].append(list(row))
    if formula_at:
        workbook[formula_at[0]][formula_at[1]] = "=1+1"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def experts(n: int, start: int = 0):
    kinds = ["高职院校专家", "教育研究专家", "行业企业专家"]
    return [
        (f"专家{i:04d}", f"某单位{i % 37}", kinds[i % 3], f"expert{i:04d}@test.invalid")
        for i in range(start, start + n)
    ]
