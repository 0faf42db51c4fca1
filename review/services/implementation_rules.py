"""R20: a school files its implementation rules (实施细则) by 30 May each year."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from review.models import DocumentKind, ImplementationRules
from review.services.files import check_document
from schools.models import School

RULES_KINDS = {DocumentKind.PDF, DocumentKind.DOCX, DocumentKind.DOC}


@transaction.atomic
def file_implementation_rules(
    *, school: School, year: int, user, upload: UploadedFile
) -> ImplementationRules:
    """Store the document under a server-made name with its SHA-256; earlier filings stay."""
    checked = check_document(upload, allowed=RULES_KINDS)
    rules = ImplementationRules(
        school=school,
        year=year,
        token=checked.token,
        original_name=(upload.name or "")[:200],
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    rules.document.save("upload", upload, save=False)
    rules._history_user = user
    rules._change_reason = "review.implementation_rules.filed"
    rules.save()
    return rules
