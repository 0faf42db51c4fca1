"""R20: a school files its implementation rules (实施细则) by 30 May each year."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from review.models import DocumentKind, ImplementationRules
from review.services.files import check_document, save_upload, stored_file_fields
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
        **stored_file_fields(checked, upload, user=user, kind_field="kind"),
    )
    save_upload(rules, upload, user=user, reason="review.implementation_rules.filed")
    return rules
