"""``documents.extracted`` events as capture would emit them, built without OCR.

One invoice per call with consistent amounts (net + 19 % VAT = total, one line), so the only
things a test varies are the ones it is about: the number, the amount, the date, the vendor's
identifiers.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from typing import Any

from docket.model import DocumentExtracted, LineItem
from tests import factories

TEST_NAMESPACE = uuid.UUID("8b0e6a52-4d1f-4c4e-9f55-5f2d7a1c0b11")


def invoice(document_id: str, number: str, *, net: str = "100.00", issue_date: str = "2026-11-03",
            supplier: str = "Muster Bürobedarf GmbH", vat_id: str | None = "DE136695976",
            iban: str | None = "DE89370400440532013000", legal_entity: str = "DE01",
            document_type: str = "invoice", **overrides: Any) -> DocumentExtracted:
    """An extracted invoice of ``supplier`` numbered ``number`` with net amount ``net``."""
    net_amount = Decimal(net)
    tax = (net_amount * Decimal("0.19")).quantize(Decimal("0.01"))
    total = net_amount + tax
    f = factories.field
    fields = [f("supplier_name", supplier), f("invoice_number", number), f("invoice_date", issue_date),
              f("currency", "EUR"), f("net_total", f"{net_amount:.2f}"), f("tax_total", f"{tax:.2f}"),
              f("total", f"{total:.2f}")]
    fields += [f("supplier_vat_id", vat_id)] if vat_id else []
    fields += [f("supplier_iban", iban)] if iban else []
    line = LineItem(index=0, fields=[f("description", "Consulting"), f("quantity", "1"),
                                     f("unit_price", f"{net_amount:.2f}"), f("amount", f"{net_amount:.2f}"),
                                     f("tax_rate", "19")])
    content = f"{legal_entity}|{document_id}|{number}|{net}|{supplier}".encode()
    sha = hashlib.sha256(content).hexdigest()
    envelope = factories.envelope(event_id=str(uuid.uuid5(TEST_NAMESPACE, document_id)), document_id=document_id,
                                  correlation_id=document_id, legal_entity=legal_entity)
    values: dict[str, Any] = {"envelope": envelope, "sha256": sha, "blob_uri": f"blob:sha256:{sha}",
                              "fields": fields, "line_items": [line], "missing": [], "document_type": document_type}
    values.update(overrides)
    return factories.extracted(**values)
