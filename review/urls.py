"""The workflow's addresses, grouped by stage as the views are."""

from django.urls import path

from review.views import appeals as av
from review.views import bundle as bv
from review.views import consistency as cv
from review.views import factual_check as fc
from review.views import materials as mv
from review.views import rechecks as rv
from review.views import report_files as rf
from review.views import school_points as pts
from review.views import scoring as sv
from review.views import selection as sel
from review.views import self_diagnosis as sd
from review.views import staff_review as sr
from review.views import verdicts as vv

app_name = "review"

# Self-diagnosis: a school's reports, their files, and its implementation rules.
self_diagnosis = [
    path("self-diagnosis/", sd.index, name="index"),
    path("self-diagnosis/open/", sd.open_report, name="open"),
    path("self-diagnosis/rules/", sd.upload_rules, name="upload_rules"),
    path("self-diagnosis/rules/<int:pk>/download/", sd.download_rules, name="download_rules"),
    path("self-diagnosis/<int:pk>/", sd.report_page, name="report"),
    path("self-diagnosis/<int:pk>/save/", sd.save, name="save"),
    path("self-diagnosis/<int:pk>/panel/", sd.panel, name="panel"),
    path("self-diagnosis/<int:pk>/submit/", sd.submit, name="submit"),
    path("self-diagnosis/<int:pk>/reopen/", sd.reopen, name="reopen"),
    path("self-diagnosis/<int:pk>/report.pdf", rf.pdf, name="pdf"),
    path("self-diagnosis/<int:pk>/report.xlsx", rf.xlsx, name="xlsx"),
    path("self-diagnosis/<int:pk>/import/", rf.import_xlsx, name="import"),
    path("self-diagnosis/<int:pk>/history/", sd.history, name="history"),
    path("self-diagnosis/<int:pk>/points/", pts.add_point, name="add_point"),
    path(
        "self-diagnosis/<int:pk>/points/<int:point_pk>/delete/",
        pts.remove_point,
        name="remove_point",
    ),
    path(
        "self-diagnosis/<int:pk>/conflicts/<int:conflict_pk>/resolve/",
        sd.resolve_conflict,
        name="resolve_conflict",
    ),
]

# Cycles and re-checks: planning, sampling, scheduling, panels, the school's materials.
rechecks = [
    path("cycles/", rv.cycles, name="cycles"),
    path("cycles/<int:pk>/", rv.cycle, name="cycle"),
    path("cycles/<int:pk>/overview.xlsx", rv.cycle_export, name="cycle_export"),
    path("cycles/<int:pk>/rechecks/", rv.cycle_rechecks, name="cycle_rechecks"),
    path("cycles/<int:pk>/selection/", sel.selection, name="selection"),
    path("cycles/<int:pk>/selection/close/", sel.close_selection, name="close_selection"),
    path("cycles/<int:pk>/panels/propose/", rv.propose, name="propose"),
    path("rechecks/<int:pk>/", rv.recheck, name="recheck"),
    path("rechecks/<int:pk>/schedule/", rv.schedule, name="schedule"),
    path("rechecks/<int:pk>/panel/", rv.assign, name="assign"),
    path("rechecks/<int:pk>/panel/<int:assignment_pk>/remove/", rv.unassign, name="unassign"),
    path("rechecks/<int:pk>/panel/<int:assignment_pk>/lead/", rv.make_lead, name="make_lead"),
    path("rechecks/<int:pk>/certify/", rv.certify, name="certify"),
    path("rechecks/<int:pk>/materials/", mv.upload_material, name="upload_material"),
    path("rechecks/<int:pk>/materials/publish/", mv.publish, name="publish"),
    path("rechecks/<int:pk>/materials/take/<int:kind>/", mv.take_material, name="take_material"),
    path(
        "rechecks/<int:pk>/materials/<int:material_pk>/download/",
        mv.download_material,
        name="download_material",
    ),
    path(
        "rechecks/<int:pk>/materials/<int:material_pk>/replace/",
        mv.replace_material,
        name="replace_material",
    ),
    path(
        "rechecks/<int:pk>/materials/<int:material_pk>/delete/",
        mv.delete_material,
        name="delete_material",
    ),
    path(
        "rechecks/<int:pk>/materials/<int:material_pk>/request-withdrawal/",
        mv.request_withdrawal,
        name="request_withdrawal",
    ),
    path(
        "rechecks/<int:pk>/withdrawal-requests/<int:request_pk>/",
        mv.decide_withdrawal,
        name="decide_withdrawal",
    ),
    path("my-rechecks/", rv.my_rechecks, name="my_rechecks"),
]

# Scoring: each expert's findings, the lead's consolidation, staff's publication.
scoring = [
    path("rechecks/<int:pk>/score/", sv.score, name="score"),
    path("rechecks/<int:pk>/consolidate/", sv.consolidate, name="consolidate"),
    path("rechecks/<int:pk>/review/", sr.review, name="staff_review"),
    path("rechecks/<int:pk>/review/return/", sr.return_to_lead, name="return_consolidation"),
    path("rechecks/<int:pk>/publish/", sr.publish, name="publish_verdict"),
]

# Verdicts and what follows: corrections, rectification, re-application, sanctions.
verdicts = [
    path("cycles/<int:pk>/not-diagnosed/", vv.not_diagnosed, name="not_diagnosed"),
    path("verdicts/", vv.verdicts, name="verdicts"),
    path("verdicts/<int:pk>/", vv.verdict, name="verdict"),
    path("verdicts/<int:pk>/report.pdf", vv.verdict_pdf, name="verdict_pdf"),
    path("verdicts/<int:pk>/correct/", vv.correct, name="correct"),
    path("verdicts/<int:pk>/rectification/", vv.rectification, name="rectification"),
    path(
        "verdicts/<int:pk>/rectification/complete/",
        vv.complete_rectification,
        name="complete_rectification",
    ),
    path(
        "verdicts/<int:pk>/rectification/<int:item_pk>/evidence/",
        vv.add_evidence,
        name="add_evidence",
    ),
    path(
        "verdicts/<int:pk>/evidence/<int:evidence_pk>/",
        vv.evidence_download,
        name="evidence_download",
    ),
    path("verdicts/<int:pk>/reapply/", vv.reapply, name="reapply"),
    path("reapplications/<int:pk>/accept/", vv.accept, name="accept_reapplication"),
    path("sanctions/", vv.sanctions, name="sanctions"),
]

# A fair verdict: the school's factual check of the draft (with the re-check's pages)…
factual_check = [
    path("rechecks/<int:pk>/review/accept/", fc.open_check, name="factual_open"),
    path("rechecks/<int:pk>/draft/", fc.draft, name="factual_check"),
    path("rechecks/<int:pk>/draft/submit/", fc.submit, name="factual_submit"),
    path("rechecks/<int:pk>/draft/none/", fc.declare_none, name="factual_none"),
    path("rechecks/<int:pk>/draft/answers/", fc.answers, name="factual_answers"),
    path(
        "rechecks/<int:pk>/draft/points/<int:point_pk>/delete/",
        fc.remove_point,
        name="factual_remove_point",
    ),
    path(
        "rechecks/<int:pk>/draft/points/<int:point_pk>/document/",
        fc.point_document,
        name="factual_point_document",
    ),
]

# … and appeals after publication (with the verdicts).
appeals = [
    path("verdicts/<int:pk>/appeal/", av.new_appeal, name="appeal_new"),
    path("appeals/<int:pk>/", av.appeal, name="appeal"),
    path("appeals/<int:pk>/document/", av.document, name="appeal_document"),
    path("appeals/<int:pk>/attach/", av.attach, name="appeal_attach"),
    path("appeals/<int:pk>/recommend/", av.recommend, name="appeal_recommend"),
    path("appeals/<int:pk>/decide/", av.decide, name="appeal_decide"),
]

# Consistency of the panels, and a re-check's materials in one zip.
consistency = [
    path("consistency/", cv.province, name="consistency"),
    path("consistency/experts/", cv.experts, name="consistency_experts"),
    path("rechecks/<int:pk>/materials.zip", bv.bundle, name="materials_bundle"),
]

urlpatterns = self_diagnosis + rechecks + scoring + verdicts + consistency + factual_check + appeals
