"""What a generated CRM form says, before any layout: customer, references, dates, terms, amounts.

``make_crm_content`` draws one order form, contract or customer change form from a
``random.Random``: same generator state, same content. Amounts are Decimal (total = net + VAT);
a contract states either its term or its end date; a change form changes the address, the
contacts, the bank details or several of them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from devkit.corpus.formatting import CENT
from devkit.corpus.parties import _CITIES, _STREETS, CURRENCY_BY_COUNTRY, TAX_RATES, Company, make_company, make_iban

#: the country customers of a vocabulary's documents live in
_COUNTRIES = {"dev_en": ("GB", "IE", "DE"), "dev_de": ("DE", "AT"), "ho_en": ("GB", "IE"), "ho_de": ("DE", "AT"),
              "fr": ("FR", "BE"), "nl": ("NL", "BE"), "es": ("ES",), "hb_en": ("GB", "US", "IE"), "hb_de": ("DE", "CH"),
              "hb_fr": ("FR", "CH")}
_LANGUAGE = {"dev_en": "en", "dev_de": "de", "ho_en": "en", "ho_de": "de", "fr": "fr", "nl": "nl", "es": "es",
             "hb_en": "en", "hb_de": "de", "hb_fr": "fr"}
_QUOTE_PATTERNS = ("Q-{y}-{n:04d}", "QT{n:06d}", "ANG-{y}-{n:03d}", "OPP-{n:05d}", "{y}/Q/{n:04d}")
_FORM_PATTERNS = ("OF-{n:05d}", "AF{y}{n:04d}", "SO-{y}-{n:04d}")
_CONTRACT_PATTERNS = ("K-{y}-{n:03d}", "CTR-{n:06d}", "SA-{y}-{n:04d}", "V{y}{n:05d}")
_CUSTOMER_PATTERNS = ("C-{n:05d}", "K{n:06d}", "{n:06d}", "CU-{n:04d}")


@dataclass(frozen=True)
class NewAddress:
    """The address a change form asks for (``country`` ISO 3166 alpha-2)."""

    street: str
    postal_code: str
    city: str
    country: str


@dataclass(frozen=True)
class CrmContent:
    """Everything one CRM form states. ``issuer`` is the supplier printing the form, ``customer``
    the party signing it. Optional parts are None where the form does not state them."""

    document_type: str
    vocabulary: str
    language: str
    issuer: Company
    customer: Company
    customer_number: str | None
    signature_date: dt.date
    letter_date: dt.date
    currency: str
    quote_reference: str | None = None
    form_number: str | None = None
    net_total: Decimal | None = None
    total: Decimal | None = None
    contract_number: str | None = None
    start_date: dt.date | None = None
    term_months: int | None = None
    term_in_years: bool = False
    end_date: dt.date | None = None
    renewal_months: int | None = None  # None: the contract does not renew
    notice: tuple[int, str] | None = None  # (count, "months" | "days")
    value: Decimal | None = None
    frequency: str | None = None
    new_address: NewAddress | None = None
    email: str | None = None
    phone: str | None = None
    new_iban: str | None = None
    new_bic: str | None = None
    old_iban: str | None = None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(rng: random.Random, patterns: tuple[str, ...], year: int) -> str:
    return rng.choice(patterns).format(y=year, n=rng.randint(1, 9999))


def _end_of_term(start: dt.date, months: int) -> dt.date:
    month = start.month - 1 + months
    following = dt.date(start.year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1) if start.day == 1 else following.replace(day=min(start.day, 28))


def make_crm_content(document_type: str, vocabulary: str, rng: random.Random) -> CrmContent:
    """One CRM form of ``document_type`` worded in ``vocabulary``; deterministic in ``rng``."""
    language = _LANGUAGE[vocabulary]
    country = rng.choice(_COUNTRIES[vocabulary])
    issuer = make_company(language, rng, country=country)
    customer = make_company(language, rng, country=country)
    signed = dt.date(2025, 1, 2) + dt.timedelta(days=rng.randint(0, 600))
    year = signed.year
    base = CrmContent(
        document_type=document_type, vocabulary=vocabulary, language=language, issuer=issuer, customer=customer,
        customer_number=_number(rng, _CUSTOMER_PATTERNS, year) if rng.random() < 0.85 else None,
        signature_date=signed, letter_date=signed - dt.timedelta(days=rng.randint(2, 12)),
        currency=CURRENCY_BY_COUNTRY.get(country, "EUR"))
    if document_type == "order_form":
        return _order_form(base, rng, country, year)
    if document_type == "contract":
        return _contract(base, rng, year)
    return _change(base, rng, country)


def _order_form(base: CrmContent, rng: random.Random, country: str, year: int) -> CrmContent:
    net = _cents(Decimal(rng.randint(50_000, 9_000_000)) / 100)
    rate = Decimal(TAX_RATES[country][0])
    total = net + _cents(net * rate / 100)
    return replace(base, quote_reference=_number(rng, _QUOTE_PATTERNS, year),
                   form_number=_number(rng, _FORM_PATTERNS, year) if rng.random() < 0.7 else None,
                   net_total=net if rng.random() < 0.7 else None, total=total)


def _contract(base: CrmContent, rng: random.Random, year: int) -> CrmContent:
    start = dt.date(base.signature_date.year, base.signature_date.month, 1) + dt.timedelta(days=40)
    start = start.replace(day=1)
    months = rng.choice((12, 12, 24, 36, 6))
    by_end = rng.random() < 0.3
    notice_count, notice_unit = rng.choice(((3, "months"), (2, "months"), (30, "days"), (90, "days"), (6, "months")))
    return replace(
        base, contract_number=_number(rng, _CONTRACT_PATTERNS, year), start_date=start,
        term_months=None if by_end else months, term_in_years=months % 12 == 0 and rng.random() < 0.4,
        end_date=_end_of_term(start, months) if by_end else None,
        renewal_months=rng.choice((12, 12, 6)) if rng.random() < 0.75 else None,
        notice=(notice_count, notice_unit) if rng.random() < 0.9 else None,
        value=_cents(Decimal(rng.randint(9_000, 900_000)) / 100),
        frequency=rng.choice(("monthly", "monthly", "quarterly", "yearly")))


def _change(base: CrmContent, rng: random.Random, country: str) -> CrmContent:
    parts = [part for part in ("address", "contact", "bank") if rng.random() < 0.55] or [rng.choice(
        ("address", "contact", "bank"))]
    city, postcode = rng.choice(_CITIES[country])
    street = rng.choice(_STREETS[country])
    number = str(rng.randint(1, 180))
    street_line = f"{number} {street}" if country in {"GB", "IE", "US", "FR"} else f"{street} {number}"
    old = make_iban(country, rng)
    new = make_iban(country, rng)
    domain = base.customer.email.split("@", 1)[1]
    return replace(
        base, new_address=NewAddress(street_line, postcode, city, country) if "address" in parts else None,
        email=f"{rng.choice(('billing', 'finance', 'ap', 'office'))}@{domain}" if "contact" in parts else None,
        phone=base.customer.phone if "contact" in parts and rng.random() < 0.7 else None,
        new_iban=new[0] if "bank" in parts and new else None,
        new_bic=new[1] if "bank" in parts and new and rng.random() < 0.7 else None,
        old_iban=old[0] if "bank" in parts and old and rng.random() < 0.8 else None)
