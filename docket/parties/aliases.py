"""Learned aliases: a reviewer's vendor choice becomes a ``name_alias`` cross-reference.

When a reviewer maps a document to a vendor, the name printed on that document is filed as an
alias of the vendor, so the next document printing it resolves directly (method ``alias``).
Bank details are deliberately never learned this way: a new IBAN must come from master data,
or it would launder exactly the payment fraud the review was meant to catch.
"""

from __future__ import annotations

from datetime import datetime

from docket.model import CrossReference, DocumentEnriched, ReviewCompleted
from docket.parties.directory import NAME_ALIAS_SYSTEM
from docket.records.text import canonical_name, display_text


def learned_aliases(review: ReviewCompleted, document: DocumentEnriched, *, now: datetime) -> list[CrossReference]:
    """The ``name_alias`` cross-references a completed review teaches (possibly none).

    Learned only from an approval naming ``vendor_id`` that differs from what resolution found
    by alias or identifier already. The names are the printed supplier name and, when the
    reviewer corrected ``supplier_name``, its original reading (the next document prints the
    same). ``external_id`` is the canonical name, so the key ``legal_entity:name_alias:name``
    is stable and a re-learned alias overwrites itself.
    """
    if review.decision != "approve" or not review.vendor_id:
        return []
    vendor = document.vendor
    if vendor is not None and vendor.party_id == review.vendor_id and vendor.method in ("vat_id", "iban", "alias"):
        return []
    printed = [document.record.supplier_name]
    printed += [c.old_value for c in review.corrections if c.field == "supplier_name"]
    names = {canonical_name(display_text(n)) for n in printed if n and display_text(n)}
    return [
        CrossReference(legal_entity=review.envelope.legal_entity, system=NAME_ALIAS_SYSTEM, external_id=name,
                       kind="vendor", party_id=review.vendor_id,
                       source=f"review:{review.task_id}:{review.reviewer}", updated_at=now)
        for name in sorted(names) if name
    ]
