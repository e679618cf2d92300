"""Totals checked by their arithmetic: net total + tax total = total.

Pages print several totals (line sum, net, tax, gross, prepaid, amount due) and labels alone do
not always tell them apart. The three document totals satisfy net + tax = total, so when the
labelled values do not, the printed amounts near the tax total are searched for the pair that
does: a missing or inconsistent net total is taken from it, and a total that no printed net
amount explains (an amount due after a prepayment, a line sum) gives way to the consistent one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from docket.reading.page import Word
from docket.understanding.extract.base import Context, Found, word_confidence
from docket.understanding.extract.taxes import money_amounts

# Totals blocks are compact: the consistent amounts are printed within this many lines of the tax total.
_WINDOW = 8
_CENT = Decimal("0.005")


@dataclass(frozen=True)
class Printed:
    """A money amount printed on the page and the line it stands on."""

    value: Decimal
    text: str
    words: tuple[Word, ...]
    line: int
    page: int


def reconcile_totals(ctx: Context, found: dict[str, Found]) -> None:
    """Set or correct ``net_total`` / ``total`` in ``found`` so that net + tax = total holds with
    amounts the page prints; leaves ``found`` alone when no consistent reading exists."""
    tax, total, net = (_decimal(found.get(name)) for name in ("tax_total", "total", "net_total"))
    if tax is None or "tax_total" not in found:
        return
    if total is not None and net is not None and abs(net + tax - total) < _CENT:
        return
    printed = _printed_amounts(ctx)
    if total is not None and _is_printed(printed, total - tax):
        if net is None or abs(net + tax - total) >= _CENT:
            found["net_total"] = _derived("net_total", _closest(printed, total - tax, found["tax_total"]),
                                          found["total"].confidence)
        return
    pair = _consistent_pair(ctx, printed, tax, found["tax_total"])
    if pair is None:
        return
    net_amount, total_amount = pair
    confidence = found["tax_total"].confidence
    found["net_total"] = _derived("net_total", net_amount, confidence)
    found["total"] = _derived("total", total_amount, confidence)


def _decimal(item: Found | None) -> Decimal | None:
    if item is None:
        return None
    try:
        return Decimal(item.value)
    except InvalidOperation:
        return None


def _printed_amounts(ctx: Context) -> list[Printed]:
    amounts = []
    for index, line in enumerate(ctx.lines):
        for text, words in money_amounts(ctx, [w for w in line.words if "%" not in w.text]):
            amounts.append(Printed(Decimal(text), text, tuple(words), index, line.page))
    return amounts


def _is_printed(printed: list[Printed], value: Decimal) -> bool:
    return any(abs(p.value - value) < _CENT for p in printed)


def _tax_line(ctx: Context, tax: Found) -> int | None:
    ids = {id(w) for w in tax.words}
    for index, line in enumerate(ctx.lines):
        if line.page == tax.page and any(id(w) in ids for w in line.words):
            return index
    return None


def _closest(printed: list[Printed], value: Decimal, tax: Found) -> Printed:
    """The printing of ``value`` on the tax total's page nearest the end of the page (totals blocks)."""
    same = [p for p in printed if abs(p.value - value) < _CENT]
    on_page = [p for p in same if p.page == tax.page] or same
    return on_page[-1]


def _consistent_pair(ctx: Context, printed: list[Printed], tax: Decimal, tax_found: Found,
                     ) -> tuple[Printed, Printed] | None:
    """Printed (net, total) near the tax total with net + tax = total, net above or beside total;
    the pair nearest the tax line wins."""
    anchor = _tax_line(ctx, tax_found)
    if anchor is None or tax == 0:
        return None
    near = [p for p in printed if p.page == tax_found.page and abs(p.line - anchor) <= _WINDOW
            and p.words != tax_found.words]
    best: tuple[int, Printed, Printed] | None = None
    for net in near:
        if net.value == 0:
            continue
        for total in near:
            if total.line < net.line or total is net or abs(net.value + tax - total.value) >= _CENT:
                continue
            distance = abs(net.line - anchor) + abs(total.line - anchor)
            if best is None or distance < best[0]:
                best = (distance, net, total)
    return None if best is None else (best[1], best[2])


def _derived(name: str, amount: Printed, confidence: float) -> Found:
    return Found(name, amount.text, amount.words, amount.page, "derived",
                 0.9 * min(confidence, word_confidence(amount.words)))
