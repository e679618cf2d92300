"""A generated receivables ledger with payments and their known truth, for benchmarking matching.

Deterministic by seed. Hundreds of customers (a few paying for many invoices, most for few; some
billed the same amount every month), thousands of open items in EUR, USD and GBP, and bank
lines with the mess real remittances carry: bundled payments, partial and short payments with
deductions, typos and OCR confusions in references, separators changed, missing references,
payments in another currency, over-payments, payers unknown or paying from a new account, and
references to invoices that are no longer open. :class:`MessMix` sets the proportions, so the
matcher can be checked on mixes it was not tuned on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from schwifty import IBAN

from docket.cashapp.fx import FxRates
from docket.cashapp.ledger_text import (
    company_name,
    garble_name,
    ocr_confuse,
    reformat_number,
    remittance_text,
    typo,
)
from docket.cashapp.references import creditor_reference
from docket.cashapp.statements.line import StatementLine
from docket.model.masterdata import CrossReference, Customer, OpenItem

_AS_OF = date(2026, 11, 20)
_STAMP = datetime(2026, 11, 20, tzinfo=UTC)
_RATES = {("EUR", "USD"): Decimal("1.0850"), ("EUR", "GBP"): Decimal("0.8560"), ("GBP", "USD"): Decimal("1.2675")}
_COUNTRIES = (("DE", 8, 10), ("NL", 4, 10), ("FR", 10, 11), ("GB", 10, 8), ("AT", 5, 11))


@dataclass(frozen=True)
class MessMix:
    """Relative weights of payment scenarios (normalised when drawn)."""

    rf_exact: float = 10
    text_exact: float = 14
    text_ocr: float = 8
    text_typo: float = 6
    bundle_refs: float = 8
    bundle_norefs: float = 6
    no_reference: float = 12
    partial: float = 5
    short_deduction: float = 7
    other_currency: float = 5
    overpayment: float = 3
    unknown_payer: float = 4
    stale_reference: float = 4
    new_account_share: float = 0.2
    no_payer_share: float = 0.08
    shared_name_share: float = 0.0
    partly_named_share: float = 0.0


# the mixes the benchmark runs and the scorer is fitted on (on other seeds)
MIXES = {
    "default": MessMix(),
    "messy": MessMix(rf_exact=4, text_exact=6, text_ocr=12, text_typo=12, bundle_norefs=10, no_reference=16,
                     partial=8, short_deduction=10, other_currency=8, overpayment=5, unknown_payer=8,
                     stale_reference=8, new_account_share=0.35, no_payer_share=0.15),
    "clean": MessMix(rf_exact=25, text_exact=30, text_ocr=2, text_typo=2, bundle_refs=10, bundle_norefs=2,
                     no_reference=5, partial=2, short_deduction=3, other_currency=2, overpayment=1,
                     unknown_payer=2, stale_reference=1, new_account_share=0.1, no_payer_share=0.03),
}
MIXES["adversarial"] = MessMix(rf_exact=2, text_exact=4, text_ocr=8, text_typo=20, bundle_refs=4, bundle_norefs=10,
                               no_reference=20, partial=6, short_deduction=6, other_currency=6, overpayment=4,
                               unknown_payer=10, stale_reference=20, new_account_share=0.4, no_payer_share=0.2)

@dataclass(frozen=True)
class PaymentTruth:
    """What a payment really is for: a customer and items (empty when it matches nothing open)."""

    scenario: str
    customer_id: str | None
    item_ids: frozenset[str]


@dataclass
class GeneratedLedger:
    """Everything a matching run needs, plus the truth per payment id."""

    customers: list[Customer]
    items: list[OpenItem]
    xrefs: list[CrossReference]
    payments: list[StatementLine]
    truth: dict[str, PaymentTruth]
    fx: FxRates
    as_of: date = _AS_OF
    extra_accounts: dict[str, str] = field(default_factory=dict)


def _iban(rng: random.Random) -> str:
    country, bank_len, account_len = rng.choice(_COUNTRIES)
    letters = country in ("NL", "GB")
    bank = ("".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4)) if letters else "")
    bank += "".join(rng.choice("0123456789") for _ in range(bank_len - len(bank)))
    account = "".join(rng.choice("0123456789") for _ in range(account_len))
    return str(IBAN.generate(country, bank_code=bank, account_code=account).compact)


def _customers(rng: random.Random, count: int, shared_name_share: float = 0.0
               ) -> tuple[list[Customer], list[CrossReference], dict[str, str]]:
    customers: list[Customer] = []
    xrefs: list[CrossReference] = []
    spare: dict[str, str] = {}
    used_names: set[str] = set()
    for n in range(count):
        party_id = f"C{n + 1:05d}"
        name = company_name(rng)
        while name in used_names:
            name = company_name(rng)
        if shared_name_share and customers and rng.random() < shared_name_share:
            name = rng.choice(customers).name  # two customers under one legal name (sites of a group)
        used_names.add(name)
        currency = rng.choices(["EUR", "USD", "GBP"], weights=[75, 15, 10])[0]
        customers.append(Customer(party_id=party_id, legal_entity="LE1", name=name, currency=currency,
                                  updated_at=_STAMP))
        xrefs.append(CrossReference(legal_entity="LE1", system="bank", external_id=_iban(rng), kind="bank_account",
                                    party_id=party_id, updated_at=_STAMP))
        spare[party_id] = _iban(rng)  # an account the customer has not paid from before
    return customers, xrefs, spare


def _amount(rng: random.Random) -> Decimal:
    return Decimal(str(round(rng.lognormvariate(7.0, 1.1), 2))).quantize(Decimal("0.01")) + Decimal("10")


def _items(rng: random.Random, customers: list[Customer], count: int) -> list[OpenItem]:
    weights = [1.0 / (k + 1) ** 0.8 for k in range(len(customers))]
    rng.shuffle(weights)
    recurring = {c.party_id: _amount(rng) for c in customers if rng.random() < 0.25}
    items: list[OpenItem] = []
    start = _AS_OF - timedelta(days=150)
    for n in range(count):
        customer = rng.choices(customers, weights=weights)[0]
        invoice_date = start + timedelta(days=int(n * 145 / count))
        amount = recurring.get(customer.party_id) if rng.random() < 0.6 else None
        amount = amount or _amount(rng)
        number = f"INV-2026-{n + 10001:06d}"
        reference = creditor_reference(number) if rng.random() < 0.4 else None
        items.append(OpenItem(item_id=f"OI{n + 1:06d}", legal_entity="LE1", customer_id=customer.party_id,
                              invoice_number=number, invoice_date=invoice_date,
                              due_date=invoice_date + timedelta(days=30), currency=customer.currency or "EUR",
                              amount_total=amount, amount_open=amount, structured_reference=reference,
                              updated_at=_STAMP))
    return items


@dataclass
class _World:
    rng: random.Random
    mix: MessMix
    customers: dict[str, Customer]
    accounts: dict[str, str]
    spare: dict[str, str]
    unpaid: dict[str, list[OpenItem]]
    closed: list[OpenItem]
    fx: FxRates


def _take(world: _World, count: int) -> list[OpenItem] | None:
    candidates = [c for c, items in world.unpaid.items() if len(items) >= count]
    if not candidates:
        return None
    customer = world.rng.choice(candidates)
    pool = world.unpaid[customer]
    chosen = world.rng.sample(pool, count)
    for item in chosen:
        pool.remove(item)
    return chosen


def _payer(world: _World, customer_id: str) -> tuple[str | None, str | None]:
    draw = world.rng.random()
    name = world.customers[customer_id].name
    if draw < world.mix.no_payer_share:
        return None, None
    if draw < world.mix.no_payer_share + world.mix.new_account_share:
        return world.spare[customer_id], garble_name(world.rng, name)
    return world.accounts[customer_id], name if world.rng.random() < 0.7 else garble_name(world.rng, name)


def _numbers_text(world: _World, items: list[OpenItem], mangle: str = "") -> str:
    numbers = []
    for item in items:
        number = reformat_number(world.rng, item.invoice_number)
        if mangle == "ocr":
            number = ocr_confuse(world.rng, number)
        elif mangle == "typo":
            number = typo(world.rng, number)
        numbers.append(number)
    return remittance_text(world.rng, numbers)


def _total(items: list[OpenItem]) -> Decimal:
    return sum((i.amount_open for i in items), Decimal(0))


@dataclass(frozen=True)
class _Draft:
    scenario: str
    customer_id: str | None
    truth: list[OpenItem]
    amount: Decimal
    currency: str
    text: str | None
    structured: str | None = None
    known_payer: bool = True


def _single(world: _World, scenario: str) -> _Draft | None:
    taken = _take(world, 1)
    if taken is None:
        return None
    item = taken[0]
    rng = world.rng
    amount, currency, text, structured = item.amount_open, item.currency, None, None
    if scenario == "rf_exact":
        if item.structured_reference is None:
            structured = creditor_reference(item.invoice_number)
            text = _numbers_text(world, [item])
        else:
            structured = item.structured_reference
    elif scenario in ("text_exact", "text_ocr", "text_typo"):
        text = _numbers_text(world, [item], scenario.removeprefix("text_").replace("exact", ""))
    elif scenario == "no_reference":
        text = rng.choice([None, "PAYMENT", "Invoice payment", "SEPA CREDIT TRANSFER", "Zahlung", "thanks"])
    elif scenario == "partial":
        amount = (item.amount_open * Decimal(rng.choice(["0.25", "0.4", "0.5", "0.6"]))).quantize(Decimal("0.01"))
        text = _numbers_text(world, [item]) + rng.choice([" partial payment", " 1st instalment", ""])
    elif scenario == "short_deduction":
        rate = Decimal(rng.choice(["0.02", "0.03", "0.05", "0.1"]))
        amount = (item.amount_open * (1 - rate)).quantize(Decimal("0.01"))
        reason = rng.choice([" less 2% early payment discount", " damaged goods deducted", " short shipment",
                             " skonto", ""]) if rate != Decimal("0.1") else " less damaged goods"
        text = _numbers_text(world, [item]) + reason
    elif scenario == "overpayment":
        amount = item.amount_open + Decimal(rng.choice(["10.00", "50.00", "100.00", "0.50"]))
        text = _numbers_text(world, [item])
    elif scenario == "other_currency":
        currency = rng.choice([c for c in ("EUR", "USD", "GBP") if c != item.currency])
        drift = Decimal(1) + Decimal(rng.randint(-80, 80)) / Decimal(10_000)
        amount = (world.fx.convert(item.amount_open, item.currency, currency) * drift).quantize(Decimal("0.01"))
        text = _numbers_text(world, [item]) if rng.random() < 0.6 else None
    return _Draft(scenario, item.customer_id, [item], amount, currency, text, structured)


def _bundle(world: _World, with_refs: bool) -> _Draft | None:
    taken = _take(world, world.rng.randint(2, 5 if with_refs else 4))
    if taken is None:
        return None
    named = taken
    if with_refs and world.mix.partly_named_share and world.rng.random() < world.mix.partly_named_share:
        # the payer lists only some of the invoices it pays
        named = world.rng.sample(taken, world.rng.randint(1, len(taken) - 1))
    text = _numbers_text(world, named, world.rng.choice(["", "", "ocr"])) if with_refs else \
        world.rng.choice([None, "Payment of invoices", "Sammelzahlung"])
    return _Draft("bundle_refs" if with_refs else "bundle_norefs", taken[0].customer_id, taken, _total(taken),
                  taken[0].currency, text)


def _no_match(world: _World, scenario: str) -> _Draft:
    rng = world.rng
    if scenario == "stale_reference" and world.closed:
        # an invoice paid earlier, quoted again (duplicate payment): nothing open to apply to
        item = rng.choice(world.closed)
        return _Draft(scenario, item.customer_id, [], item.amount_total, item.currency,
                      _numbers_text(world, [item]))
    amount = _amount(rng)
    text = rng.choice(["Refund order 55812", "Deposit", None, f"Order {rng.randint(100000, 999999)}"])
    return _Draft("unknown_payer", None, [], amount, "EUR", text, known_payer=False)


def _draft(world: _World, scenario: str) -> _Draft | None:
    if scenario in ("bundle_refs", "bundle_norefs"):
        return _bundle(world, scenario == "bundle_refs")
    if scenario in ("unknown_payer", "stale_reference"):
        return _no_match(world, scenario)
    return _single(world, scenario)


_SCENARIOS = ("rf_exact", "text_exact", "text_ocr", "text_typo", "bundle_refs", "bundle_norefs", "no_reference",
              "partial", "short_deduction", "other_currency", "overpayment", "unknown_payer", "stale_reference")


def generate(seed: int, *, customers: int = 300, items: int = 4000, payments: int = 1500,
             mix: MessMix | None = None) -> GeneratedLedger:
    """A ledger and ``payments`` bank lines (credits) with their truth, the same for the same arguments.

    About a tenth of the items are closed before the run (paid earlier) so stale references have
    something to point at; the rest are open. Payer accounts come from cross references, except
    for payments from a customer's new account or with no payer details at all.
    """
    rng = random.Random(seed)
    mix = mix or MessMix()
    people, xrefs, spare = _customers(rng, customers, mix.shared_name_share)
    all_items = _items(rng, people, items)
    closed = [i for i in all_items if rng.random() < 0.1]
    closed_ids = {i.item_id for i in closed}
    open_items = [i for i in all_items if i.item_id not in closed_ids]
    unpaid: dict[str, list[OpenItem]] = {}
    for item in open_items:
        unpaid.setdefault(item.customer_id, []).append(item)
    world = _World(rng, mix, {c.party_id: c for c in people}, {x.party_id: x.external_id for x in xrefs}, spare,
                   unpaid, closed, FxRates(_RATES))
    weights = [getattr(mix, s) for s in _SCENARIOS]
    lines: list[StatementLine] = []
    truth: dict[str, PaymentTruth] = {}
    for n in range(payments):
        draft = _draft(world, rng.choices(_SCENARIOS, weights=weights)[0])
        if draft is None:
            continue
        account, name = _payer(world, draft.customer_id) if draft.customer_id else (None, None)
        if not draft.known_payer:
            account, name = _iban(rng), company_name(rng)
        payment_id = f"gen:{seed}:{n + 1}"
        lines.append(StatementLine(payment_id=payment_id, statement_id=f"gen:{seed}", amount=draft.amount,
                                   currency=draft.currency, source_format="csv", value_date=_AS_OF,
                                   booking_date=_AS_OF, payer_name=name, payer_account=account,
                                   remittance_structured=draft.structured, remittance_text=draft.text))
        truth[payment_id] = PaymentTruth(draft.scenario, draft.customer_id if draft.truth else None,
                                         frozenset(i.item_id for i in draft.truth))
    return GeneratedLedger(people, open_items, xrefs, lines, truth, world.fx, extra_accounts=spare)
