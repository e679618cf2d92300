"""Prior documents per legal entity and vendor, and the duplicate/amendment check against them.

A document is checked against the history of its own vendor (the agent keeps each history in a
table reached by repartitioning on :func:`history_key`); :class:`DuplicateIndex` is the
in-memory form of all histories plus a content-hash map across vendors.

Kinds, strongest first: ``content`` (same bytes), ``exact`` (same normalized number, same
document type), ``fuzzy`` (numbers equal once OCR confusions are folded, or same total and
currency within ``window_days``), and ``amends`` (a credit note or corrected invoice naming an
earlier document: linked, not a duplicate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from docket.dedup.keys import number_key, ocr_key
from docket.model import DocumentEnriched, DuplicateCandidate
from docket.model.common import Amount, Model
from docket.records.text import canonical_name


class PriorDocument(Model):
    """What the duplicate check remembers of one document (no amounts beyond the total, no bank data)."""

    document_id: str
    legal_entity: str
    vendor_key: str
    document_type: str
    number: str | None = None
    number_key: str | None = None
    ocr_key: str | None = None
    amends_number_key: str | None = None
    amends_ocr_key: str | None = None
    total: Amount | None = None
    currency: str | None = None
    issue_date: date | None = None
    sha256: str
    seen_at: datetime


class VendorHistory(Model):
    """All prior documents of one legal entity and vendor: the value of the agent's table."""

    documents: list[PriorDocument] = Field(default_factory=list)

    def with_document(self, prior: PriorDocument) -> VendorHistory:
        """A history holding ``prior``; an earlier version of the same document is replaced in place,
        so a document keeps its position (and what counts as "before it") across replays."""
        documents = list(self.documents)
        position = next((i for i, d in enumerate(documents) if d.document_id == prior.document_id), None)
        if position is None:
            documents.append(prior)
        else:
            documents[position] = prior
        return VendorHistory(documents=documents)

    def pruned(self, *, seen_before: datetime) -> VendorHistory:
        """The history without documents first seen before ``seen_before`` (retention: duplicates
        older than that are no longer caught, so keep it longer than any vendor's resend habit)."""
        return VendorHistory(documents=[d for d in self.documents if d.seen_at >= seen_before])

    def earlier_than(self, document_id: str) -> list[PriorDocument]:
        """The documents seen before ``document_id`` (all of them when it was never seen).

        Checking a replayed or revised document only against what preceded it keeps its
        decision the same however many documents arrived since.
        """
        position = next((i for i, d in enumerate(self.documents) if d.document_id == document_id), None)
        return list(self.documents if position is None else self.documents[:position])


def vendor_key(document: DocumentEnriched) -> str:
    """The vendor a document's history is filed under: the resolved party id, else its canonical
    printed name, else its VAT ID, else ``unknown``."""
    if document.vendor is not None and document.vendor.party_id:
        return document.vendor.party_id
    record = document.record
    if record.supplier_vat_id:
        return f"vat:{record.supplier_vat_id}"
    if record.supplier_name and canonical_name(record.supplier_name):
        return f"name:{canonical_name(record.supplier_name)}"
    return "unknown"


def history_key(document: DocumentEnriched) -> str:
    """The table/partition key of a document's vendor history: ``legal_entity:vendor``."""
    return f"{document.envelope.legal_entity}:{vendor_key(document)}"


def prior_document(document: DocumentEnriched, *, now: datetime) -> PriorDocument:
    """The history entry for ``document``, stamped ``now``."""
    record = document.record
    return PriorDocument(
        document_id=document.envelope.document_id, legal_entity=document.envelope.legal_entity,
        vendor_key=vendor_key(document), document_type=record.document_type, number=record.number,
        number_key=number_key(record.number) if record.number else None,
        ocr_key=ocr_key(record.number) if record.number else None,
        amends_number_key=number_key(record.amends_number) if record.amends_number else None,
        amends_ocr_key=ocr_key(record.amends_number) if record.amends_number else None,
        total=record.total, currency=record.currency, issue_date=record.issue_date,
        sha256=document.sha256, seen_at=now)


def _compare(doc: PriorDocument, prior: PriorDocument, window_days: int) -> DuplicateCandidate | None:
    def found(kind: str, reason: str, score: float) -> DuplicateCandidate:
        return DuplicateCandidate(document_id=prior.document_id, kind=kind, reason=reason, score=score)

    if doc.sha256 == prior.sha256:
        return found("content", "same file content (sha256)", 1.0)
    if doc.amends_ocr_key and doc.amends_ocr_key == prior.ocr_key:
        exact = doc.amends_number_key == prior.number_key
        return found("amends", f"amends {prior.document_type} {prior.number}", 1.0 if exact else 0.8)
    if doc.document_type != prior.document_type:
        return None
    if doc.number_key and doc.number_key == prior.number_key:
        return found("exact", f"same {doc.document_type} number {prior.number}", 1.0)
    if doc.ocr_key and doc.ocr_key == prior.ocr_key:
        return found("fuzzy", f"number {doc.number} differs from {prior.number} only by OCR confusions", 0.9)
    same_amount = (doc.total is not None and doc.total == prior.total and doc.total != Decimal(0)
                   and doc.currency == prior.currency)
    if same_amount and doc.issue_date and prior.issue_date:
        days = abs((doc.issue_date - prior.issue_date).days)
        if days <= window_days:
            return found("fuzzy", f"same total {doc.total} {doc.currency} {days} days apart", 0.6)
    return None


def find_duplicates(document: PriorDocument, history: Iterable[PriorDocument], *,
                    window_days: int = 14) -> list[DuplicateCandidate]:
    """Earlier documents ``document`` duplicates or amends, strongest first.

    The document itself (same ``document_id``, e.g. a revision after review) is never its own
    duplicate.
    """
    found = [c for prior in history if prior.document_id != document.document_id
             if (c := _compare(document, prior, window_days)) is not None]
    return sorted(found, key=lambda c: (-c.score, c.kind != "amends", c.document_id))


@dataclass
class DuplicateIndex:
    """Every vendor history in memory plus a content-hash map across vendors (one process)."""

    window_days: int = 14

    def __post_init__(self) -> None:
        self._histories: dict[str, VendorHistory] = defaultdict(VendorHistory)
        self._by_content: dict[tuple[str, str], str] = {}

    def history(self, key: str) -> VendorHistory:
        """The history under ``legal_entity:vendor`` (empty when none)."""
        return self._histories.get(key, VendorHistory())

    def add(self, document: DocumentEnriched, *, now: datetime) -> PriorDocument:
        """Remember ``document`` (idempotent per document id) and return its history entry."""
        prior = prior_document(document, now=now)
        key = history_key(document)
        self._histories[key] = self._histories[key].with_document(prior)
        self._by_content.setdefault((prior.legal_entity, prior.sha256), prior.document_id)
        return prior

    def find(self, document: DocumentEnriched, *, now: datetime) -> list[DuplicateCandidate]:
        """Duplicates and amendments of ``document`` among the documents added before."""
        probe = prior_document(document, now=now)
        found = find_duplicates(probe, self.history(history_key(document)).earlier_than(probe.document_id),
                                window_days=self.window_days)
        same_bytes = self._by_content.get((probe.legal_entity, probe.sha256))
        if same_bytes and same_bytes != probe.document_id and all(c.document_id != same_bytes for c in found):
            # Same bytes under another vendor key (resolution differed): still the same document.
            found.insert(0, DuplicateCandidate(document_id=same_bytes, kind="content",
                                               reason="same file content (sha256)", score=1.0))
        return found
