"""Writes of the self-diagnosis workflow (R2, R4, R5, R6), each in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators.models import Element, IndicatorSystem
from review import events
from review.models import (
    EditConflict,
    ElementEntry,
    PanelMember,
    Reopening,
    ReportStatus,
    SchoolPoint,
    SelfDiagnosis,
)
from review.selectors.self_diagnosis import editor_stamp, report_data_live, snapshot_from
from review.services.limits import ELEMENT_FIELDS, OVERVIEW_LIMIT, normalize_text, over_limit
from review.services.rules import (
    duplicate_members,
    may_start_self_diagnosis,
    panel_problems,
    problems_of,
)
from schools.models import School
from zhengai import stampcache

ENTRY_FIELDS = tuple(name for name, _, _ in ELEMENT_FIELDS)


@dataclass(frozen=True)
class TextEdit:
    """What one form posted for an entry (or the overview), and the revision it was based on."""

    values: dict[str, str]
    revision: int


@dataclass
class SaveResult:
    saved: int = 0
    conflicts: list[EditConflict] = field(default_factory=list)


def _locked(self_diagnosis: SelfDiagnosis) -> SelfDiagnosis:
    """Re-read the report under a row lock, so concurrent saves of it run one at a time."""
    return (
        SelfDiagnosis.objects.select_for_update().select_related("school").get(pk=self_diagnosis.pk)
    )


class ReportLocked(ValidationError):
    """The report is no longer a draft: nothing was saved (the caller keeps what was typed)."""


LOCKED_MESSAGE = "报告已提交并锁定，不能再修改；如需修改，请联系省级管理人员退回。"


def _require_draft(report: SelfDiagnosis) -> None:
    if not report.is_draft:
        raise ReportLocked(LOCKED_MESSAGE)


@transaction.atomic
def open_self_diagnosis(*, school: School, year: int, user) -> SelfDiagnosis:
    """Open (or return) the school's report for ``year``, on the version in force (R1, R6)."""
    if not may_start_self_diagnosis(is_new=school.is_new):
        raise ValidationError(
            "新建高职院校需先接受人才培养工作评估，再开展诊改工作（实施方案四（一）1）。"
        )
    existing = SelfDiagnosis.objects.filter(school=school, year=year).first()
    if existing:
        return existing
    system = IndicatorSystem.objects.filter(in_force=True).first()
    if system is None:
        raise ValidationError("尚未设置现行的指标体系版本，请联系省级管理人员。")
    report = SelfDiagnosis(school=school, year=year, system=system)
    report._change_reason = "review.self_diagnosis.opened"
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Opened at the same moment by another request (a double click, a colleague): the
        # unique constraint let one in; that one is the report.
        return SelfDiagnosis.objects.get(school=school, year=year)
    elements = Element.objects.filter(project__system=system).order_by(
        "project__position", "position"
    )
    bulk_create_with_history(
        [ElementEntry(self_diagnosis=report, element=e) for e in elements],
        ElementEntry,
        default_user=user,
        default_change_reason="review.self_diagnosis.opened",
    )
    stampcache.changed(editor_stamp(report.pk))  # written in bulk: no signal
    return report


def validate_texts(*, overview: str | None, entries: dict[str, dict[str, str]]) -> None:
    """R5: every text within its limit; errors keyed by form field name, nothing half-saved."""
    errors: dict[str, str] = {}
    if overview is not None and (message := _text_problem(overview, OVERVIEW_LIMIT)):
        errors["overview"] = f"自我诊改工作概述{message}"
    limits = {name: (label, limit) for name, label, limit in ELEMENT_FIELDS}
    for code, values in entries.items():
        for name, text in values.items():
            label, limit = limits[name]
            if message := _text_problem(text, limit):
                errors[f"e{code}-{name}"] = f"{code} {label}{message}"
    if errors:
        raise ValidationError(errors)


def _text_problem(text: str, limit: int) -> str | None:
    # A NUL byte cannot be stored (PostgreSQL refuses it) and is never typed by a person.
    if "\x00" in text:
        return "不能包含空字符，请删除后再保存"
    return over_limit(text, limit)


def _merge(
    *, posted: dict[str, str], base: dict[str, str], current: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Three-way merge per field: (changes safe to apply, the author's texts in conflict)."""
    apply, conflict = {}, {}
    for name, mine in posted.items():
        if mine == current[name] or mine == base.get(name):
            continue  # nothing to do, or the author did not touch this field
        if base.get(name) == current[name]:
            apply[name] = mine  # only the author changed it
        else:
            conflict[name] = mine  # both changed it: keep both, overwrite nothing
    return apply, conflict


@transaction.atomic
def save_draft(
    *,
    self_diagnosis: SelfDiagnosis,
    user,
    overview: TextEdit | None = None,
    entries: dict[str, TextEdit] | None = None,
) -> SaveResult:
    """Save what changed; a stale edit is merged if it can be, else kept as a conflict.

    ``entries`` maps element codes to edits. A field changed by a colleague since the author
    loaded the page, and changed differently by the author, is never overwritten: the author's
    text is stored as an :class:`EditConflict` and shown beside the saved one.
    """
    return _save(
        self_diagnosis=self_diagnosis,
        user=user,
        overview=overview,
        entries=entries or {},
        reason="review.self_diagnosis.saved",
    )


def _save(*, self_diagnosis, user, overview, entries, reason) -> SaveResult:
    cleaned = {
        code: {k: normalize_text(v) for k, v in e.values.items()} for code, e in entries.items()
    }
    overview_text = normalize_text(overview.values["overview"]) if overview else None
    validate_texts(overview=overview_text, entries=cleaned)
    report = _locked(self_diagnosis)
    _require_draft(report)
    result = SaveResult()
    if overview is not None:
        _save_overview(report, user, overview_text, overview.revision, result, reason)
    if cleaned:
        rows = {
            row.element.code: row
            for row in report.entries.select_for_update(of=("self",)).select_related("element")
        }
        for code, values in cleaned.items():
            row = rows.get(code)
            if row is None:
                raise ValidationError({f"e{code}-opinion": f"没有诊断要素 {code}。"})
            _save_entry(report, row, user, values, entries[code].revision, result, reason)
    return result


def _save_overview(report, user, text, revision, result, reason) -> None:
    current = {"overview": report.overview}
    if revision == report.revision:
        base = current
    else:
        old = report.history.filter(revision=revision).order_by("-history_id").first()
        base = {"overview": old.overview if old else ""}
    apply, conflict = _merge(posted={"overview": text}, base=base, current=current)
    if apply:
        report.overview = apply["overview"]
        report.revision += 1
        report._change_reason = reason
        report._history_user = user
        report.save(update_fields=["overview", "revision", "modified"])
        result.saved += 1
    if conflict:
        result.conflicts.append(
            EditConflict.objects.create(
                self_diagnosis=report,
                element=None,
                author=user,
                based_on_revision=revision,
                saved_revision=report.revision,
                texts=conflict,
            )
        )


def _save_entry(report, row: ElementEntry, user, values, revision, result, reason) -> None:
    current = {name: getattr(row, name) for name in ENTRY_FIELDS}
    if revision == row.revision:
        base = current
    else:
        old = row.history.filter(revision=revision).order_by("-history_id").first()
        base = {name: getattr(old, name) for name in ENTRY_FIELDS} if old else {}
    apply, conflict = _merge(posted=values, base=base, current=current)
    if apply:
        for name, text in apply.items():
            setattr(row, name, text)
        row.revision += 1
        row.updated_by = user
        row._change_reason = reason
        row._history_user = user
        row.save()
        result.saved += 1
    if conflict:
        result.conflicts.append(
            EditConflict.objects.create(
                self_diagnosis=report,
                element=row.element,
                author=user,
                based_on_revision=revision,
                saved_revision=row.revision,
                texts=conflict,
            )
        )


@transaction.atomic
def resolve_conflict(*, conflict: EditConflict, user) -> None:
    """Mark a kept text as dealt with (the author copied what they wanted, or let it go)."""
    EditConflict.objects.filter(pk=conflict.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    stampcache.changed(editor_stamp(conflict.self_diagnosis_id))  # an update: no signal


@transaction.atomic
def save_panel(*, self_diagnosis: SelfDiagnosis, user, members: list[dict]) -> None:
    """R4: replace the panel; refuse (saving nothing) a panel under 9 or under half external."""
    report = _locked(self_diagnosis)
    _require_draft(report)
    external = sum(1 for m in members if m["external"])
    problems = duplicate_members([(m["name"], m["employer"]) for m in members])
    problems += panel_problems(total=len(members), external=external)
    if problems:
        raise ValidationError(problems)
    PanelMember.objects.filter(self_diagnosis=report).delete()
    bulk_create_with_history(
        [
            PanelMember(
                self_diagnosis=report,
                position=i,
                name=m["name"].strip(),
                employer=m["employer"].strip(),
                external=bool(m["external"]),
            )
            for i, m in enumerate(members, start=1)
        ],
        PanelMember,
        default_user=user,
        default_change_reason="review.self_diagnosis.panel_saved",
    )
    stampcache.changed(editor_stamp(report.pk))  # written in bulk: no signal


@transaction.atomic
def add_school_point(
    *, self_diagnosis: SelfDiagnosis, user, element: Element, name: str, description: str = ""
) -> SchoolPoint:
    """R2: add a school-specific point under one of the 15 elements (which stay fixed)."""
    report = _locked(self_diagnosis)
    _require_draft(report)
    if element.project.system_id != report.system_id:
        raise ValidationError("该诊断要素不属于本报告所用的指标体系版本。")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写诊断点名称。"})
    point = SchoolPoint(
        self_diagnosis=report, element=element, name=name, description=description.strip()
    )
    point._history_user = user
    point.save()
    return point


@transaction.atomic
def remove_school_point(*, point: SchoolPoint, user) -> None:
    _require_draft(_locked(point.self_diagnosis))
    point._history_user = user
    point.delete()


def submission_problems(report: SelfDiagnosis) -> list[str]:
    """What stands between a draft and submission, in Chinese."""
    entries = report.entries.select_related("element").order_by(
        "element__project__position", "element__position"
    )
    return problems_of(
        report,
        panel=list(report.panel.all()),
        entries=list(entries),
        open_conflicts=report.conflicts.filter(resolved_at__isnull=True).count(),
    )


@transaction.atomic
def submit(*, self_diagnosis: SelfDiagnosis, user, principal_name: str, signed_on: date) -> None:
    """Sign and submit: the report becomes a locked snapshot (filed, for R6 schools)."""
    report = _locked(self_diagnosis)
    _require_draft(report)
    errors: dict[str, list[str]] = {}
    if not principal_name.strip():
        errors["principal_name"] = ["请填写校长姓名（签字）。"]
    if signed_on is None:
        errors["signed_on"] = ["请填写签字日期。"]
    problems = submission_problems(report)
    if problems:
        errors["__all__"] = problems
    if errors:
        raise ValidationError(errors)
    report.principal_name = principal_name.strip()
    report.signed_on = signed_on
    report.status = ReportStatus.FILED if report.is_filing else ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.snapshot = snapshot_from(report_data_live(report))
    report._change_reason = f"review.self_diagnosis.{report.status}"
    report._history_user = user
    report.save()


@transaction.atomic
def reopen(*, self_diagnosis: SelfDiagnosis, user, reason: str) -> Reopening:
    """Provincial staff reopen a submitted report, with a reason that is recorded."""
    report = _locked(self_diagnosis)
    if report.is_draft:
        raise ValidationError("报告还是草稿，无需退回。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因。"})
    reopening = Reopening.objects.create(
        self_diagnosis=report, by=user, reason=reason, previous_status=report.status
    )
    report.status = ReportStatus.DRAFT
    report.snapshot = None
    report.principal_name = ""
    report.signed_on = None
    report.submitted_at = None
    report.submitted_by = None
    # The stored PDF was of the snapshot that is gone; copies already taken (materials) stay.
    report.pdf, report.pdf_sha256 = "", ""
    report._change_reason = "review.self_diagnosis.reopened"
    report._history_user = user
    report.save()
    events.report_reopened.send(sender=Reopening, reopening=reopening)
    return reopening


@transaction.atomic
def import_rows(
    *,
    self_diagnosis: SelfDiagnosis,
    user,
    rows: dict[str, dict[str, str]],
    revisions: dict[str, int],
) -> SaveResult:
    """Apply an already-checked Excel import exactly as a browser save of the same texts.

    ``revisions`` are each element's revision when the file was exported (its stamp): a text
    the user did not change in the file never overwrites a colleague's newer one, and a text
    both changed is kept as an :class:`EditConflict`, as on the edit page.
    """
    entries = {
        code: TextEdit(values=values, revision=revisions.get(code, 0))
        for code, values in rows.items()
    }
    return _save(
        self_diagnosis=self_diagnosis,
        user=user,
        overview=None,
        entries=entries,
        reason="review.self_diagnosis.imported",
    )
