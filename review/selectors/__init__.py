"""The reads that views and tasks share, one module per stage; re-exported here."""

from review.selectors.rechecks import (
    CycleRow,
    assignments_of,
    cycle_overview,
    cycle_recheck_page,
    overview_rows,
    overview_schools,
)
from review.selectors.self_diagnosis import (
    ElementForm,
    edit_page,
    export_stamp,
    implementation_rules_of,
    report_data,
    report_data_live,
    report_from_snapshot,
    report_statuses,
    snapshot_from,
)
from review.selectors.verdicts import (
    SchoolVerdicts,
    latest_verdict_in_force,
    verdict_history,
    verdict_report_data,
    verdicts_in_force,
)

__all__ = [
    "ElementForm",
    "edit_page",
    "export_stamp",
    "implementation_rules_of",
    "report_data",
    "report_data_live",
    "report_from_snapshot",
    "report_statuses",
    "snapshot_from",
    "CycleRow",
    "assignments_of",
    "cycle_overview",
    "cycle_recheck_page",
    "overview_rows",
    "overview_schools",
    "SchoolVerdicts",
    "latest_verdict_in_force",
    "verdict_history",
    "verdict_report_data",
    "verdicts_in_force",
]
