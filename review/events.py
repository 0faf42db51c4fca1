"""What happened in the workflow, announced for whoever listens: the one door out of ``review``.

The domain never calls the notification layer: a service announces an event here, inside its
transaction, and ``notices`` (see ``notices/receivers.py``) subscribes and writes its rows in
the same transaction, so a rolled-back step leaves no notice behind. Receivers must not
fail the step for a notice: they write rows; e-mail goes out after commit.

Each signal lists its keyword arguments; receivers must be safe to run twice for the same
event (the notices' once-only key sees to it).
"""

from __future__ import annotations

from django.dispatch import Signal

# A sanction was opened for a school (R17); kwargs: sanction.
sanction_opened = Signal()

# A sanction was lifted (the school's next 有效, or a correction); kwargs: sanction.
sanction_lifted = Signal()

# Experts were put on re-check panels, by hand or by the proposal; kwargs: changes (the
# PanelChange rows that record it, one per expert).
experts_assigned = Signal()

# An expert was taken off a panel (by staff, or a conflict recorded about them); kwargs:
# change (the PanelChange row: recheck, expert, action, reason).
expert_removed = Signal()

# An expert was made the lead of a panel; kwargs: change (the PanelChange row).
lead_named = Signal()

# The school published its eight materials in the column (R10); kwargs: recheck.
materials_published = Signal()

# The school submitted its materials to the evaluation centre (R10); kwargs: recheck.
materials_submitted = Signal()

# An expert submitted their own findings; kwargs: assignment.
findings_submitted = Signal()

# The lead submitted the panel's consolidation; kwargs: consolidation.
consolidation_submitted = Signal()

# Staff returned the lead's consolidation for another look; kwargs: recheck, reason.
consolidation_returned = Signal()

# A verdict was published (after a re-check, or R15's not-diagnosed); kwargs: record.
verdict_published = Signal()

# A published verdict was corrected; kwargs: record (the correction, ``corrects`` the old).
verdict_corrected = Signal()

# The school reported its rectification done (R11); kwargs: rectification.
rectification_reported = Signal()

# A disclosed material was taken down from the column; kwargs: material.
material_withdrawn = Signal()

# Staff reopened a submitted self-diagnosis report; kwargs: reopening.
report_reopened = Signal()

# Staff accepted the consolidation and the school's factual check of the draft opened;
# kwargs: factual_check.
factual_check_opened = Signal()

# The school submitted its factual points on the draft; kwargs: factual_check.
factual_points_submitted = Signal()

# The factual check is done on the school's side and every point is answered (or the school
# said it has none): staff may publish; kwargs: factual_check.
factual_points_answered = Signal()

# A school appealed a published verdict; kwargs: appeal.
appeal_filed = Signal()

# The expert committee recorded its recommendation on an appeal; kwargs: appeal.
appeal_recommended = Signal()

# Provincial staff decided an appeal (upheld, or corrected); kwargs: appeal.
appeal_decided = Signal()
