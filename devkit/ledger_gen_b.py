"""A second, differently drawn ledger family ("B") for checking cash application out of sample.

:mod:`devkit.ledger_gen` (family A) is what the matcher's scorer is fitted on; this family is
never used for fitting or tuning, only for measuring. Its mess is drawn by other rules: ERP
document numbers (``90012345``) and slash numbers (``SI/26/04512``) instead of ``INV-2026-...``,
SEPA-style remittance wording in German, French and English, names damaged as banks and people
do it (umlauts folded, legal forms spelled out, words swapped, cut at 27 characters), customers
that share one legal name (two sites of one group, each with its own account and invoices),
customers with two known accounts, dated payments (an item invoiced after the payment cannot
be what it pays), amount-only payments, bundles naming only some of their invoices, typos
people make (a digit doubled, dropped or two swapped), deductions with fixed amounts as well as
discount rates, and partial payments.

Scenario names are the kinds of the cash-application benchmark: ``exact_ref_amount``,
``amount_only_unique``, ``bundle``, ``typo_ref``, ``short_deduction``, ``partial``,
``payer_name_variant``; ``amount_only_ambiguous`` (a person could not tell which item),
``unknown_payer`` and ``stale_reference`` (nothing open to apply to) are there to be kept out.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from devkit.ledger_gen import _AS_OF, _RATES, _STAMP, GeneratedLedger, PaymentTruth, _iban
from docket.cashapp.fx import FxRates
from docket.cashapp.references import creditor_reference
from docket.cashapp.statements.line import StatementLine
from docket.model.masterdata import CrossReference, Customer, OpenItem

_SURNAMES = ("Müller", "Schäfer", "Köhler", "Dupont", "Lefèvre", "Gärtner", "Weiß", "Brandt", "Moreau", "Jäger",
             "Hoffmann", "Bernard", "Krüger", "Petit", "Lambert", "Vogel", "Fischer", "Roux", "Böhm", "Garnier")
_TRADES = ("Haustechnik", "Maschinenbau", "Elektro", "Bau", "Transports", "Boulangerie", "Menuiserie", "Logistik",
           "Druckerei", "Holzbau", "Metallwaren", "Distribution", "Agrar", "Kunststofftechnik", "Pharma",
           "Garagen", "Optique", "Textil", "Verpackung", "Lebensmittel")
_FORMS = ("GmbH", "GmbH & Co. KG", "KG", "AG", "SARL", "SAS", "S.A.", "e.K.", "OHG", "Ltd")
_FORM_SPELLED = {"GmbH": "Gesellschaft mit beschränkter Haftung", "AG": "Aktiengesellschaft",
                 "KG": "Kommanditgesellschaft", "SARL": "S.A.R.L.", "SAS": "S.A.S.", "Ltd": "Limited"}
_REF_FORMS = ("Rg.-Nr. {n}", "RECHNUNG NR {n} VOM {d}", "SVWZ+RE {n}", "EREF+{n}", "/ROC/{n}", "Fact. n° {n}",
              "Facture {n} du {d}", "Inv#{n}", "Beleg {n}", "RGNR {n} KDNR {k}", "Your invoice {n}")
_NO_REF = ("Überweisung", "Zahlung", "Virement", "SEPA-GUTSCHRIFT", "Payment", "Ausgleich Konto", None)
_DEDUCTIONS = (("abzgl. {r}% Skonto", "rate"), ("moins escompte {r}%", "rate"), ("less {r}% prompt pay", "rate"),
               ("Abzug Fracht {a}", "fixed"), ("Retoure beschädigt -{a}", "fixed"),
               ("déduction avoir {a}", "fixed"), ("bank charges {a} deducted", "fixed"))
_PARTIAL = ("Teilzahlung", "acompte", "1. Rate", "part payment", "Anzahlung")


def _fold(text: str) -> str:
    """Umlauts as banks write them without them: ``ü`` → ``ue``, accents dropped."""
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "AE").replace("Ö", "OE").replace("Ü", "UE")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_TRADES)} {rng.choice(_FORMS)}"


def name_variant(rng: random.Random, name: str) -> str:
    """The name as it reaches the bank line: folded, form spelled out, words swapped, cut to 27."""
    words = name.split()
    draw = rng.random()
    if draw < 0.25:
        return _fold(name).upper()
    if draw < 0.45:
        form = words[-1]
        return " ".join([*words[:-1], _FORM_SPELLED.get(form, form)])
    if draw < 0.6 and len(words) >= 3:
        return " ".join([words[1], words[0], *words[2:]])
    if draw < 0.8:
        return _fold(name)[:27]
    return name.replace(" & ", " und ").replace("ü", "u").replace("é", "e")


def _typo(rng: random.Random, number: str) -> str:
    """A digit doubled, dropped or two neighbouring digits swapped."""
    digits = [k for k, ch in enumerate(number) if ch.isdigit()]
    k = rng.choice(digits[1:-1])
    draw = rng.random()
    if draw < 0.33:
        return number[:k] + number[k] + number[k:]
    if draw < 0.66:
        return number[:k] + number[k + 1:]
    if number[k + 1].isdigit() and number[k + 1] != number[k]:
        return number[:k] + number[k + 1] + number[k] + number[k + 2:]
    return number[:k] + str((int(number[k]) + 1) % 10) + number[k + 1:]


@dataclass
class _World:
    rng: random.Random
    customers: list[Customer]
    accounts: dict[str, list[str]]
    unpaid: dict[str, list[OpenItem]]
    closed: list[OpenItem]


def _customers(rng: random.Random, count: int) -> tuple[list[Customer], list[CrossReference], dict[str, list[str]]]:
    customers: list[Customer] = []
    xrefs: list[CrossReference] = []
    accounts: dict[str, list[str]] = {}
    names: list[str] = []
    for n in range(count):
        party_id = f"K{n + 1:04d}"
        # about one customer in twelve shares its legal name with another (two sites of a group)
        name = rng.choice(names) if names and rng.random() < 0.08 else _name(rng)
        names.append(name)
        customers.append(Customer(party_id=party_id, legal_entity="LE1", name=name, currency="EUR",
                                  updated_at=_STAMP))
        accounts[party_id] = [_iban(rng) for _ in range(2 if rng.random() < 0.2 else 1)]
        xrefs += [CrossReference(legal_entity="LE1", system="bank", external_id=a, kind="bank_account",
                                 party_id=party_id, updated_at=_STAMP) for a in accounts[party_id]]
    return customers, xrefs, accounts


def _amount(rng: random.Random) -> Decimal:
    if rng.random() < 0.2:  # round amounts (flat fees, instalments) collide more often
        return Decimal(rng.choice((250, 500, 750, 1000, 1200, 1500, 2000, 2500)))
    return Decimal(str(round(rng.uniform(40, 9000), 2))).quantize(Decimal("0.01"))


def _items(rng: random.Random, customers: list[Customer], count: int) -> list[OpenItem]:
    weights = [rng.paretovariate(1.3) for _ in customers]
    items: list[OpenItem] = []
    for n in range(count):
        customer = rng.choices(customers, weights=weights)[0]
        invoice_date = _AS_OF - timedelta(days=rng.randint(0, 120))
        number = f"9{n + 40000:07d}" if rng.random() < 0.7 else f"SI/26/{n + 1000:05d}"
        amount = _amount(rng)
        items.append(OpenItem(item_id=f"B{n + 1:06d}", legal_entity="LE1", customer_id=customer.party_id,
                              invoice_number=number, invoice_date=invoice_date,
                              due_date=invoice_date + timedelta(days=rng.choice((14, 30, 60))), currency="EUR",
                              amount_total=amount, amount_open=amount,
                              structured_reference=creditor_reference(number) if rng.random() < 0.15 else None,
                              updated_at=_STAMP))
    return items


def _ref_text(rng: random.Random, item: OpenItem, number: str | None = None) -> str:
    return rng.choice(_REF_FORMS).format(n=number or item.invoice_number, d=item.invoice_date.strftime("%d.%m.%Y"),
                                         k=item.customer_id[1:])


def _take(world: _World, count: int, value_date: date) -> list[OpenItem] | None:
    rng = world.rng
    for _ in range(20):
        customer = rng.choice(world.customers).party_id
        pool = [i for i in world.unpaid.get(customer, []) if i.invoice_date <= value_date]
        if len(pool) >= count:
            chosen = rng.sample(pool, count)
            for item in chosen:
                world.unpaid[customer].remove(item)
            return chosen
    return None


@dataclass(frozen=True)
class _Draft:
    kind: str
    items: list[OpenItem]
    amount: Decimal
    text: str | None
    structured: str | None = None
    name_variant: bool = False


def _single(world: _World, kind: str, value_date: date) -> _Draft | None:
    rng = world.rng
    taken = _take(world, 1, value_date)
    if taken is None:
        return None
    item = taken[0]
    amount = item.amount_open
    if kind in ("exact_ref_amount", "payer_name_variant"):
        if item.structured_reference and rng.random() < 0.5:
            return _Draft(kind, [item], amount, None, item.structured_reference, kind == "payer_name_variant")
        return _Draft(kind, [item], amount, _ref_text(rng, item), None, kind == "payer_name_variant")
    if kind == "typo_ref":
        return _Draft(kind, [item], amount, _ref_text(rng, item, _typo(rng, item.invoice_number)))
    if kind.startswith("amount_only"):
        same = [i for i in world.unpaid.get(item.customer_id, []) if i.amount_open == item.amount_open]
        if (kind == "amount_only_unique") == bool(same):
            world.unpaid[item.customer_id].append(item)
            return None
        return _Draft(kind, [item], amount, rng.choice(_NO_REF))
    if kind == "partial":
        share = Decimal(rng.randint(20, 80)) / 100
        amount = (item.amount_open * share).quantize(Decimal("0.01"))
        return _Draft(kind, [item], amount, f"{_ref_text(rng, item)} {rng.choice(_PARTIAL)}")
    # short_deduction
    wording, how = rng.choice(_DEDUCTIONS)
    rate = rng.choice((1, 2, 3))
    fixed = min(Decimal(rng.choice(("12.50", "15.00", "35.00", "48.90", "120.00"))), item.amount_open / 10)
    cut = (item.amount_open * rate / 100).quantize(Decimal("0.01")) if how == "rate" else fixed.quantize(
        Decimal("0.01"))
    return _Draft(kind, [item], item.amount_open - cut, f"{_ref_text(rng, item)} {wording.format(r=rate, a=cut)}")


def _bundle(world: _World, value_date: date) -> _Draft | None:
    rng = world.rng
    taken = _take(world, rng.randint(2, 4), value_date)
    if taken is None:
        return None
    named = rng.sample(taken, rng.randint(0, len(taken) - 1)) if rng.random() < 0.6 else taken
    if not named:
        text = rng.choice(("Sammelüberweisung", "Paiement factures", "Ausgleich offene Posten", None))
    else:
        text = "RE " + ", ".join(i.invoice_number for i in named) + (" u.a." if len(named) < len(taken) else "")
    return _Draft("bundle", taken, sum((i.amount_open for i in taken), Decimal(0)), text)


def _draft(world: _World, kind: str, value_date: date) -> _Draft | None:
    if kind == "bundle":
        return _bundle(world, value_date)
    if kind == "stale_reference":
        item = world.rng.choice(world.closed)
        return _Draft(kind, [], item.amount_total, _ref_text(world.rng, item))
    if kind == "unknown_payer":
        return _Draft(kind, [], _amount(world.rng), world.rng.choice(("Erstattung", "Kaution", None, "Spende")))
    return _single(world, kind, value_date)


KINDS: dict[str, float] = {"exact_ref_amount": 114, "amount_only_unique": 53, "bundle": 63, "typo_ref": 49,
                           "short_deduction": 23, "partial": 33, "payer_name_variant": 22,
                           "amount_only_ambiguous": 10, "unknown_payer": 20, "stale_reference": 13}


def _payer(world: _World, draft: _Draft) -> tuple[str | None, str | None]:
    rng = world.rng
    if not draft.items:
        return (_iban(rng), _name(rng)) if draft.kind == "unknown_payer" else (None, None)
    customer = draft.items[0].customer_id
    name = next(c.name for c in world.customers if c.party_id == customer)
    if draft.name_variant:
        return (_iban(rng) if rng.random() < 0.7 else None), name_variant(rng, name)
    draw = rng.random()
    if draw < 0.65:
        return rng.choice(world.accounts[customer]), name if rng.random() < 0.5 else name_variant(rng, name)
    if draw < 0.85:
        return _iban(rng), name if rng.random() < 0.6 else name_variant(rng, name)
    if draw < 0.95:
        return None, name_variant(rng, name)
    return None, None


def generate_b(seed: int, *, customers: int = 350, items: int = 2500, payments: int = 400) -> GeneratedLedger:
    """A family-B ledger and about ``payments`` dated bank lines with their truth (deterministic by seed)."""
    rng = random.Random(f"family-b:{seed}")
    people, xrefs, accounts = _customers(rng, customers)
    all_items = _items(rng, people, items)
    closed = [i for i in all_items if rng.random() < 0.08]
    closed_ids = {i.item_id for i in closed}
    open_items = [i for i in all_items if i.item_id not in closed_ids]
    unpaid: dict[str, list[OpenItem]] = {}
    for item in open_items:
        unpaid.setdefault(item.customer_id, []).append(item)
    world = _World(rng, people, accounts, unpaid, closed)
    kinds, weights = list(KINDS), list(KINDS.values())
    lines: list[StatementLine] = []
    truth: dict[str, PaymentTruth] = {}
    for n in range(payments * 3):
        if len(lines) >= payments:
            break
        value_date = _AS_OF - timedelta(days=rng.randint(0, 19))
        draft = _draft(world, rng.choices(kinds, weights=weights)[0], value_date)
        if draft is None:
            continue
        account, name = _payer(world, draft)
        payment_id = f"genb:{seed}:{n + 1}"
        lines.append(StatementLine(payment_id=payment_id, statement_id=f"genb:{seed}", amount=draft.amount,
                                   currency="EUR", source_format="camt.053", value_date=value_date,
                                   booking_date=value_date, payer_name=name, payer_account=account,
                                   remittance_structured=draft.structured, remittance_text=draft.text))
        customer = draft.items[0].customer_id if draft.items else None
        truth[payment_id] = PaymentTruth(draft.kind, customer, frozenset(i.item_id for i in draft.items))
    return GeneratedLedger(people, open_items, xrefs, lines, truth, FxRates(_RATES))
