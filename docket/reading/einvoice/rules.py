"""The EN 16931 business rules of ``en16931.yaml`` checked on an :class:`EInvoice`.

Every broken rule is a :class:`~docket.model.Finding` whose ``rule_id`` is the rule's id
(``BR-CO-15``, ``BR-AE-10``, ``BR-DE-15``), severity ``error`` unless the data says otherwise, and
``fields`` the extracted field names it concerns: routing sends the document to review. Values
that do not convert (``EINVOICE_VALUE_INVALID``) are findings too. Pure and data-driven: a rule
is added by editing the YAML file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import yaml

from docket.model import Finding
from docket.reading.einvoice.document import EInvoice, Group

VALUE_INVALID = "EINVOICE_VALUE_INVALID"
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class RuleData:
    """The parsed rules file."""

    version: str
    tolerance: Decimal
    vat_amount_tolerance: Decimal
    mandatory: tuple[dict[str, Any], ...]
    line_mandatory: tuple[dict[str, Any], ...]
    line_net_amount: dict[str, Any]
    codes: tuple[dict[str, Any], ...]
    sums: tuple[dict[str, Any], ...]
    vat_categories: dict[str, dict[str, Any]]


@cache
def load_rules() -> RuleData:
    """The packaged ``en16931.yaml`` (parsed once per process)."""
    text = resources.files("docket.reading.einvoice").joinpath("en16931.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return RuleData(version=str(data["version"]), tolerance=Decimal(str(data["tolerance"])),
                    vat_amount_tolerance=Decimal(str(data["vat_amount_tolerance"])),
                    mandatory=tuple(data["mandatory"]), line_mandatory=tuple(data["line_mandatory"]),
                    line_net_amount=dict(data["line_net_amount"]), codes=tuple(data["codes"]), sums=tuple(data["sums"]),
                    vat_categories={str(k): v for k, v in data["vat_categories"].items()})


def _finding(rule: dict[str, Any], message: str, fields: list[str]) -> Finding:
    return Finding(rule_id=str(rule["id"]), severity=str(rule.get("severity", "error")), message=message,
                   fields=fields)


def _applies(rule: dict[str, Any], invoice: EInvoice) -> bool:
    if rule.get("when") == "xrechnung" and not invoice.is_xrechnung:
        return False
    return invoice.profile not in rule.get("skip_profiles", [])


def _present(invoice: EInvoice, name: str) -> bool:
    return bool(invoice.lines) if name == "lines" else name in invoice.header


def _mandatory(invoice: EInvoice, data: RuleData) -> Iterator[Finding]:
    for rule in data.mandatory:
        if not _applies(rule, invoice):
            continue
        condition = rule.get("if_code") or {}
        if any(invoice.value(term) not in [str(c) for c in codes] for term, codes in condition.items()):
            continue
        if "any_of" in rule:
            if not any(_present(invoice, name) for name in rule["any_of"]):
                yield _finding(rule, str(rule["message"]), list(rule["any_of"]))
            continue
        missing = [name for name in rule["terms"] if not _present(invoice, name)]
        if missing:
            yield _finding(rule, str(rule["message"]), missing)


def _lines(invoice: EInvoice, data: RuleData) -> Iterator[Finding]:
    for rule in data.line_mandatory:
        if invoice.syntax in rule.get("skip_syntaxes", []):
            continue
        missing = [i for i, line in enumerate(invoice.lines) if rule["term"] not in line]
        if missing:
            shown = ", ".join(str(i + 1) for i in missing[:10])
            yield _finding(rule, f"{rule['message']}: line {shown}", [f"line[{i}].{rule['term']}" for i in missing])
    rule = data.line_net_amount
    tolerance = Decimal(str(rule["tolerance"]))
    for index, line in enumerate(invoice.lines):
        quantity, price, amount = _amount(line, "quantity"), _amount(line, "net_price"), _amount(line, "amount")
        if quantity is None or price is None or amount is None:
            continue
        base = _amount(line, "price_base_quantity") or Decimal(1)
        expected = quantity * price / base - (_amount(line, "line_allowance") or Decimal(0)) \
            + (_amount(line, "line_charge") or Decimal(0))
        if abs(expected - amount) > tolerance:
            yield _finding(rule, f"{rule['message']}: line {index + 1} states {amount}, computed "
                           f"{expected.quantize(_CENT, rounding=ROUND_HALF_UP)}", [f"line[{index}].amount"])


def _codes(invoice: EInvoice, data: RuleData) -> Iterator[Finding]:
    for rule in data.codes:
        value = invoice.value(str(rule["term"]))
        if not _applies(rule, invoice) or value is None:
            continue
        allowed = [str(v) for v in rule.get("allowed", [])]
        prefixes = [str(v) for v in rule.get("prefix", [])]
        if (allowed and value not in allowed) or (prefixes and not any(value.startswith(p) for p in prefixes)):
            yield _finding(rule, f"{rule['message']}: {value!r}", [str(rule["term"])])


def _amount(group: Group, name: str) -> Decimal | None:
    term = group.get(name)
    if term is None or not term.valid:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _group_sum(invoice: EInvoice, spec: str) -> Decimal | None:
    group_name, term = spec.split(".", 1)
    groups: list[Group] = getattr(invoice, group_name)
    values = [_amount(g, term) for g in groups]
    if group_name == "lines" and not groups:
        return None
    if any(v is None for v in values):
        return None
    return sum((v for v in values if v is not None), Decimal(0))


def _signed_sum(invoice: EInvoice, terms: list[str]) -> Decimal | None:
    total = Decimal(0)
    for spec in terms:
        sign = -1 if spec.startswith("-") else 1
        name = spec.lstrip("+-")
        optional = name.endswith("?")
        value = _amount(invoice.header, name.rstrip("?"))
        if value is None:
            if optional:
                continue
            return None
        total += sign * value
    return total


def _sums(invoice: EInvoice, data: RuleData) -> Iterator[Finding]:
    for rule in data.sums:
        stated = _amount(invoice.header, str(rule["total"]))
        if stated is None or not _applies(rule, invoice):
            continue
        if "sum" in rule:
            if str(rule["sum"]).split(".")[0] != "lines" and not getattr(invoice, str(rule["sum"]).split(".")[0]):
                continue  # no allowances at all: BT-107 may be stated as 0.00 or absent
            expected = _group_sum(invoice, str(rule["sum"]))
        else:
            expected = _signed_sum(invoice, list(rule["terms"]))
        if expected is not None and rule.get("absolute"):
            expected, stated = abs(expected), abs(stated)
        if expected is not None and abs(expected - stated) > data.tolerance:
            yield _finding(rule, f"{rule['message']}: stated {stated}, computed {expected}", [str(rule["total"])])


def _matching(groups: list[Group], category: str, rate: Decimal | None, rate_name: str,
              category_name: str) -> list[Group]:
    found = []
    for group in groups:
        term = group.get(category_name)
        if term is None or term.value != category:
            continue
        if rate is not None and _amount(group, rate_name) not in (rate, None) and category != "O":
            continue
        found.append(group)
    return found


def _vat_categories(invoice: EInvoice, data: RuleData) -> Iterator[Finding]:
    for n, breakdown in enumerate(invoice.vat, start=1):
        category = breakdown["category"].value if "category" in breakdown else None
        spec = data.vat_categories.get(category or "")
        if spec is None:
            continue
        yield from _vat_breakdown(invoice, n, breakdown, str(category), spec, data)
    for index, line in enumerate(invoice.lines):
        category = line["tax_category"].value if "tax_category" in line else None
        spec = data.vat_categories.get(category or "")
        if spec is None:
            continue
        rate = _amount(line, "tax_rate")
        if not _rate_fits(spec, rate):
            rule = {"id": spec["rules"]["rate"]}
            yield _finding(rule, f"line {index + 1}: VAT category {category} ({spec['name']}) with rate {rate}",
                           [f"line[{index}].tax_rate"])


def _rate_fits(spec: dict[str, Any], rate: Decimal | None) -> bool:
    wanted = spec.get("rate")
    if wanted == "positive":
        return rate is not None and rate > 0
    if wanted == "zero":
        return rate is not None and rate == 0
    return rate is None or rate == 0


def _vat_breakdown(invoice: EInvoice, n: int, breakdown: Group, category: str, spec: dict[str, Any],
                   data: RuleData) -> Iterator[Finding]:
    rules = spec["rules"]
    rate, base, amount = (_amount(breakdown, k) for k in ("rate", "base", "amount"))
    if not _rate_fits(spec, rate):
        yield _finding({"id": rules["rate"]}, f"VAT breakdown {n}: category {category} ({spec['name']}) with rate "
                       f"{rate}", [f"tax_{n}_rate"])
    if invoice.lines and base is not None:
        lines = _group_total(_matching(invoice.lines, category, rate, "tax_rate", "tax_category"), "amount")
        charges = _group_total(_matching(invoice.charges, category, rate, "rate", "category"), "amount")
        allowances = _group_total(_matching(invoice.allowances, category, rate, "rate", "category"), "amount")
        # Allowances reduce and charges raise the amount, whatever sign a negative invoice states them with.
        sign = -1 if lines < 0 else 1
        expected = lines + sign * (abs(charges) - abs(allowances))
        if abs(expected - base) > data.tolerance:
            yield _finding({"id": rules["base"]}, f"VAT breakdown {n} ({category} {rate}%): taxable amount {base}, "
                           f"lines and allowances/charges at that rate give {expected}", [f"tax_{n}_base"])
    if base is not None and amount is not None:
        expected_amount = (base * (rate or Decimal(0)) / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
        if abs(expected_amount - amount) > data.vat_amount_tolerance:
            yield _finding({"id": rules["amount"]}, f"VAT breakdown {n} ({category} {rate}%): VAT {amount}, "
                           f"{base} x {rate}% is {expected_amount}", [f"tax_{n}_amount"])
    has_reason = "exemption_reason" in breakdown or "exemption_code" in breakdown
    if spec.get("exemption") == "required" and not has_reason:
        yield _finding({"id": rules["exemption"]}, f"VAT breakdown {n}: category {category} ({spec['name']}) needs "
                       "an exemption reason (BT-120/BT-121)", [f"tax_{n}_exemption_reason"])
    if spec.get("exemption") == "forbidden" and has_reason:
        yield _finding({"id": rules["exemption"]}, f"VAT breakdown {n}: category {category} ({spec['name']}) must not "
                       "carry an exemption reason", [f"tax_{n}_exemption_reason"])
    seller_registered = _present(invoice, "supplier_vat_id") or _present(invoice, "supplier_tax_number")
    if spec.get("seller_vat") and not seller_registered:
        yield _finding({"id": rules["seller_vat"]}, f"category {category} ({spec['name']}) needs the seller VAT id "
                       "(BT-31) or tax registration (BT-32)", ["supplier_vat_id"])
    if spec.get("buyer_vat") and not _present(invoice, "buyer_vat_id"):
        yield _finding({"id": rules["buyer_vat"]}, f"category {category} ({spec['name']}) needs the buyer VAT id "
                       "(BT-48)", ["buyer_vat_id"])


def _group_total(groups: list[Group], name: str) -> Decimal:
    return sum((v for g in groups if (v := _amount(g, name)) is not None), Decimal(0))


def _invalid_values(invoice: EInvoice) -> Iterator[Finding]:
    groups: list[tuple[str, Group]] = [("", invoice.header)]
    groups += [(f"tax_{n}_", g) for n, g in enumerate(invoice.vat, start=1)]
    groups += [(f"line[{i}].", g) for i, g in enumerate(invoice.lines)]
    for prefix, group in groups:
        for name, term in group.items():
            if not term.valid:
                yield Finding(rule_id=VALUE_INVALID, severity="error", fields=[prefix + name],
                              message=f"{term.bt} {name}: {term.raw!r} is not a valid value ({term.path})")


def check_einvoice(invoice: EInvoice) -> list[Finding]:
    """Every broken rule of ``invoice``, in the order of the rules file."""
    data = load_rules()
    return [*_invalid_values(invoice), *_mandatory(invoice, data), *_lines(invoice, data), *_codes(invoice, data),
            *_sums(invoice, data), *_vat_categories(invoice, data)]
