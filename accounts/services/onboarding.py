"""Bulk onboarding: school contacts and experts from one Excel file, all or nothing.

The file is checked with the project's safe xlsx helpers (size, zip bombs, not-an-xlsx,
formulas), parsed into plain rows, compared with the database (matched by e-mail, ignoring
case) and shown as a preview; confirming applies the staged rows in one transaction. New
accounts get an invitation e-mail after commit; no password is ever in the file.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import warnings
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Invitation, StagedImport
from accounts.services.invitations import send_after_commit
from review.exporters.excel import ImportIssue, _cell_text, _check_file, set_text
from schools.models import Expert, ExpertKind, School, SchoolUserObjectPermission, User
from schools.permissions import ACT_FOR_SCHOOL_CODENAME
from schools.roles import Role
from zhengai import stampcache

CONTACTS = "学校联系人"
EXPERTS = "专家"
HELP = "填写说明"
SHEETS = {
    CONTACTS: ["学校", "姓名", "电子邮箱", "学校联络人（是/否）"],
    EXPERTS: ["姓名", "工作单位", "专家类别", "电子邮箱"],
}
LETTERS = "ABCD"
MAX_UPLOAD = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 200
YES, NO = {"是", "y", "yes", "1", "√"}, {"否", "", "n", "no", "0"}
KIND_BY_LABEL = {label: value for value, label in ExpertKind.choices}
# 11-digit mobiles, area-code landlines, or any run of 7+ digits: no phone numbers here.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)|\d[\d -]{6,}\d")


@dataclass
class Preview:
    contacts: list[dict] = field(default_factory=list)
    experts: list[dict] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        rows = self.contacts + self.experts
        return {s: sum(1 for r in rows if r["status"] == s) for s in ("new", "changed", "same")}


def template_xlsx() -> bytes:
    workbook = Workbook()
    help_sheet = workbook.active
    help_sheet.title = HELP
    for i, line in enumerate(
        [
            "请在“学校联系人”和“专家”两个工作表中逐行填写，不要修改工作表名称和表头。",
            "电子邮箱用于登录和接收设置密码的邮件，每人一个，不能重复；再次导入时按邮箱匹配，不会重复建号。",
            "学校名称须与门户中的学校名称完全一致；“学校联络人”填“是”或“否”。",
            "专家类别填：" + "、".join(KIND_BY_LABEL) + "。",
            "请不要填写电话号码、密码或公式。",
        ],
        start=1,
    ):
        set_text(help_sheet.cell(row=i, column=1), line)
    for title, headings in SHEETS.items():
        sheet = workbook.create_sheet(title)
        for col, heading in enumerate(headings, start=1):
            set_text(sheet.cell(row=1, column=col), heading)
            sheet.column_dimensions[LETTERS[col - 1]].width = 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _issue(sheet: str, row: int | None, col: str | None, message: str) -> ImportIssue:
    return ImportIssue(sheet, row, col, message)


def format_issue(issue: ImportIssue) -> str:
    where = []
    if issue.sheet:
        where.append(f"工作表“{issue.sheet}”")
    if issue.row is not None:
        where.append(f"第 {issue.row} 行")
    if issue.column is not None:
        heading = SHEETS.get(issue.sheet, [""] * 4)[LETTERS.index(issue.column)]
        where.append(f"{issue.column} 列（{heading}）")
    return f"{' '.join(where)}：{issue.message}" if where else issue.message


def read_file(data: bytes) -> tuple[dict[str, list[tuple[int, list[str]]]], list[ImportIssue]]:
    """Rows of both sheets as texts, or the file's problems; nothing is saved."""
    problems = _check_file(data, MAX_UPLOAD)
    if problems:
        return {}, problems
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        return {}, [_issue("", None, None, "文件已损坏或格式不正确，请用下载的模板填写后上传")]
    errors: list[ImportIssue] = []
    out: dict[str, list[tuple[int, list[str]]]] = {}
    try:
        missing = [t for t in SHEETS if t not in workbook.sheetnames]
        if missing:
            found = "、".join(f"“{n}”" for n in workbook.sheetnames[:10])
            wanted = "、".join(f"“{m}”" for m in missing)
            return {}, [
                _issue(
                    "",
                    None,
                    None,
                    f"找不到工作表{wanted}（文件中的工作表：{found}）；"
                    "请用下载的模板填写，不要修改工作表名称",
                )
            ]
        for title, headings in SHEETS.items():
            rows: list[tuple[int, list[str]]] = []
            for number, cells in enumerate(
                workbook[title].iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=4), start=1
            ):
                texts = []
                for letter, cell in zip(LETTERS, cells, strict=False):
                    text, problem = _cell_text(cell)
                    if problem:
                        errors.append(_issue(title, number, letter, problem))
                    texts.append((text or "").strip())
                texts += [""] * (4 - len(texts))
                if number == 1:
                    if texts != headings:
                        errors.append(
                            _issue(title, 1, None, "表头与模板不一致：应为 " + "、".join(headings))
                        )
                    continue
                if any(texts):
                    rows.append((number, texts))
            if len(rows) > MAX_ROWS - 1:
                errors.append(_issue(title, None, None, f"行数过多，最多 {MAX_ROWS - 1} 行"))
            out[title] = rows
    except Exception:
        return {}, [_issue("", None, None, "工作表已损坏，无法读取；请用下载的模板填写后上传")]
    finally:
        workbook.close()
    return out, errors


def preview(data: bytes) -> Preview:
    """Check every row against the file and the database; the plan to confirm, or errors."""
    rows, errors = read_file(data)
    result = Preview(errors=list(errors))
    if not rows:
        return result
    schools = {s.name: s for s in School.objects.all()}
    # Only the accounts the file names (by e-mail, ignoring case): one query each, not per row.
    in_file = {
        texts[col].lower()
        for title, col in ((CONTACTS, 2), (EXPERTS, 3))
        for _number, texts in rows.get(title, [])
        if texts[col]
    }
    users = {
        u.email.lower(): u
        for u in User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=in_file)
        .prefetch_related("groups")
    }
    ids = [u.pk for u in users.values()]
    perms = dict(
        SchoolUserObjectPermission.objects.filter(
            permission__codename=ACT_FOR_SCHOOL_CODENAME, user_id__in=ids
        ).values_list("user_id", "content_object_id")
    )
    experts = {e.user_id: e for e in Expert.objects.filter(user_id__in=ids)}
    seen: dict[str, tuple[str, int]] = {}
    add = result.errors.append

    def common(sheet, number, texts, email_col):
        for letter, text in zip(LETTERS, texts, strict=True):
            if text and PHONE_RE.search(text):
                add(_issue(sheet, number, letter, "看起来是电话号码；本表不收集电话号码，请删除"))
        email = texts[LETTERS.index(email_col)].lower()
        try:
            validate_email(email)
        except ValidationError:
            add(_issue(sheet, number, email_col, "电子邮箱缺失或格式不正确"))
            return None
        if email in seen:
            first_sheet, first_row = seen[email]
            add(
                _issue(
                    sheet,
                    number,
                    email_col,
                    f"电子邮箱与工作表“{first_sheet}”第 {first_row} 行重复，每人只能填一行",
                )
            )
            return None
        seen[email] = (sheet, number)
        return email

    def role_clash(sheet, number, col, user, role):
        groups = {g.name for g in user.groups.all()}
        if groups and role.value not in groups:
            add(_issue(sheet, number, col, "该邮箱已属于门户中另一类账号，请核对"))
            return True
        return False

    for number, (school_name, name, _email, contact) in rows.get(CONTACTS, []):
        texts = [school_name, name, _email, contact]
        email = common(CONTACTS, number, texts, "C")
        school = schools.get(school_name)
        if school is None:
            add(_issue(CONTACTS, number, "A", f"门户中没有名为“{school_name}”的学校"))
        if not name or len(name) > 50:
            add(_issue(CONTACTS, number, "B", "请填写姓名（不超过 50 字）"))
        if contact.lower() not in YES | NO:
            add(_issue(CONTACTS, number, "D", "请填“是”或“否”"))
        if email is None or school is None:
            continue
        is_contact = contact.lower() in YES
        user = users.get(email)
        if user is not None and role_clash(CONTACTS, number, "C", user, Role.SCHOOL_STAFF):
            continue
        changes = []
        if user is not None:
            if user.display_name != name:
                changes.append("姓名")
            if perms.get(user.pk) != school.pk:
                changes.append("学校")
            if user.is_school_contact != is_contact:
                changes.append("学校联络人")
        result.contacts.append(
            {
                "row": number,
                "email": email,
                "name": name,
                "school": school.pk,
                "school_name": school.name,
                "is_contact": is_contact,
                "user": user.pk if user else None,
                "status": "new" if user is None else ("changed" if changes else "same"),
                "changes": changes,
            }
        )

    for number, (name, employer, kind_label, _email) in rows.get(EXPERTS, []):
        texts = [name, employer, kind_label, _email]
        email = common(EXPERTS, number, texts, "D")
        if not name or len(name) > 50:
            add(_issue(EXPERTS, number, "A", "请填写姓名（不超过 50 字）"))
        if not employer or len(employer) > 100:
            add(_issue(EXPERTS, number, "B", "请填写工作单位（不超过 100 字）"))
        kind = KIND_BY_LABEL.get(kind_label)
        if kind is None:
            add(_issue(EXPERTS, number, "C", "专家类别应为：" + "、".join(KIND_BY_LABEL)))
        if email is None or kind is None:
            continue
        user = users.get(email)
        if user is not None and role_clash(EXPERTS, number, "D", user, Role.EXPERT):
            continue
        expert = experts.get(user.pk) if user else None
        changes = []
        if expert is not None:
            changes = [
                label
                for label, old, new in (
                    ("姓名", expert.name, name),
                    ("工作单位", expert.employer, employer),
                    ("专家类别", expert.kind, kind),
                )
                if old != new
            ]
        result.experts.append(
            {
                "row": number,
                "email": email,
                "name": name,
                "employer": employer,
                "kind": kind,
                "kind_label": kind_label,
                "user": user.pk if user else None,
                "status": "new" if user is None else ("changed" if changes else "same"),
                "changes": changes,
            }
        )
    return result


def stage(*, data: bytes, filename: str, user) -> tuple[StagedImport | None, Preview]:
    """Parse and keep the file's plan server-side until confirmed (by its SHA-256)."""
    plan = preview(data)
    if plan.errors:
        return None, plan
    staged = StagedImport.objects.create(
        uploaded_by=user,
        filename=filename[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        rows={"contacts": plan.contacts, "experts": plan.experts},
    )
    return staged, plan


class StaleImport(Exception):
    """The database changed since the preview; the file must be checked again."""


@transaction.atomic
def apply(staged: StagedImport, *, by) -> dict[str, int]:
    """Apply a staged plan in one transaction; new accounts are invited after commit."""
    staged = StagedImport.objects.select_for_update().get(pk=staged.pk)
    if staged.applied_at is not None:
        raise StaleImport("这个文件已经导入过了")
    contacts, experts = staged.rows["contacts"], staged.rows["experts"]
    emails = [r["email"] for r in contacts + experts]
    existing = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    # A new row whose e-mail appeared meanwhile (or the reverse) means the preview is stale.
    for row in contacts + experts:
        if (row["user"] is None) != (row["email"] not in existing):
            raise StaleImport("预览之后门户中的账号有变化，请重新上传文件核对")

    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}

    act = Permission.objects.get(
        codename=ACT_FOR_SCHOOL_CODENAME, content_type__app_label="schools"
    )

    # Invitees choose their own password through the link: until then an unusable one (the
    # "!" prefix Django's set_unusable_password writes, without 1,500 slow random strings).
    new_users = [
        User(
            username=row["email"],
            email=row["email"],
            display_name=row["name"],
            is_school_contact=row.get("is_contact", False),
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
        )
        for row in contacts + experts
        if row["user"] is None
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    by_email = {u.email: u for u in new_users} | existing

    through = User.groups.through
    through.objects.bulk_create(
        [
            through(user_id=by_email[r["email"]].pk, group_id=groups[role].pk)
            for rows, role in ((contacts, Role.SCHOOL_STAFF), (experts, Role.EXPERT))
            for r in rows
            if r["user"] is None
        ]
    )
    # School contacts: the school they act for, their name and the 联络人 flag.
    changed_contacts = [r for r in contacts if r["status"] == "changed"]
    for r in changed_contacts:
        user = by_email[r["email"]]
        user.display_name, user.is_school_contact = r["name"], r["is_contact"]
    User.objects.bulk_update(
        [by_email[r["email"]] for r in changed_contacts], ["display_name", "is_school_contact"]
    )
    moved = [r for r in contacts if r["status"] == "new" or "学校" in r["changes"]]
    SchoolUserObjectPermission.objects.filter(
        user__in=[by_email[r["email"]] for r in moved], permission=act
    ).delete()
    SchoolUserObjectPermission.objects.bulk_create(
        [
            SchoolUserObjectPermission(
                user_id=by_email[r["email"]].pk, permission_id=act.pk, content_object_id=r["school"]
            )
            for r in moved
        ]
    )
    # Experts: the pool entry linked to the account; history is kept for every write.
    schools = {s.name: s.pk for s in School.objects.all()}
    bulk_create_with_history(
        [
            Expert(
                name=r["name"],
                employer=r["employer"],
                kind=r["kind"],
                school_id=schools.get(r["employer"]),
                user_id=by_email[r["email"]].pk,
            )
            for r in experts
            if r["status"] == "new"
        ],
        Expert,
    )
    to_update = []
    changed_experts = [r for r in experts if r["status"] == "changed"]
    pool = {
        e.user_id: e
        for e in Expert.objects.filter(user_id__in=[r["user"] for r in changed_experts])
    }
    for r in changed_experts:
        expert = pool[r["user"]]
        expert.name, expert.employer, expert.kind = r["name"], r["employer"], r["kind"]
        expert.school_id = schools.get(r["employer"])
        to_update.append(expert)
    if to_update:
        bulk_update_with_history(to_update, Expert, ["name", "employer", "kind", "school"])
    # Written in bulk (no model signal): the stored staff pages that name experts and people
    # (zhengai/stampcache.py) are read afresh after this commit.
    stampcache.changed(stampcache.QUEUES)

    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [Invitation(user_id=u.pk, invited_by_id=by.pk, sent_at=now) for u in new_users]
    )
    send_after_commit([i.pk for i in invitations])
    staged.applied_at = now
    staged.save(update_fields=["applied_at", "modified"])
    counts = {"new": 0, "changed": 0, "same": 0}
    for r in contacts + experts:
        counts[r["status"]] += 1
    return counts
