"""What happened in the workflow, announced for whoever listens: the one door out of ``review``.

The domain never calls the notification layer: a service announces an event here, inside its
transaction, and ``notices`` (see ``notices/receivers.py``) subscribes and writes its rows in
the same transaction, so a rolled-back step leaves no notice behind. Receivers must not
fail the step for a notice: they write rows; e-mail goes out after commit.
"""

from __future__ import annotations

from django.dispatch import Signal

# A sanction was opened for a school (R17); kwargs: sanction.
sanction_opened = Signal()

# Staff returned a submitted consolidation to the panel lead, with why (staff review before
# publication); kwargs: recheck, reason. Sent inside the transaction that records the return.
consolidation_returned = Signal()
