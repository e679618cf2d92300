"""What a customer's mail is about: remittance, dispute, deduction claim, promise to pay, or other.

A multinomial naive Bayes classifier over the mail's words (lower case, accents and umlauts
folded, cut to a six-letter stem so ``deducted``/``deduction`` and ``überwiesen``/``Überweisung``
meet) plus placeholder tokens for what the mail contains (an amount, an invoice number, a
date). Its counts ship with the package (``mail_intent_model.json``, written by
``devkit/train_mail_intent.py`` from the labelled English, German and French mails under
``devkit/mail_intent/``; the held-out part is never used for training). Invoice numbers,
amounts and dates are extracted by patterns, so a dispute or a deduction claim can be linked to
its open item and a promise to pay checked when its date passes.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from docket.cashapp.ledger import Ledger
from docket.errors import DocketError

INTENTS = ("remittance", "dispute", "deduction_claim", "promise_to_pay", "other")
MODEL_FILE = "mail_intent_model.json"
_STEM = 6

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "januar": 1, "februar": 2, "marz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "decembre": 12,
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
_WORD_DATE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-z]{3,9})(?:\s+(\d{4}))?\b"
                        r"|\b([a-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_AMOUNT = re.compile(r"(?<![\w/.,-])(\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+|\d+)([.,]\d{2})(?![\d.,]*\d)")
_INVOICE = re.compile(r"(?<![\w.,])((?:[A-Z]{1,4}[-/ ]?)?\d{2,4}(?:[-/]\d{2,6}){1,2}|[A-Z]{1,4}[-/]?\d{3,}|\d{4,})"
                      r"(?![\w.,]*\d)")


class MailModelError(DocketError):
    """The shipped mail-intent model is missing or malformed."""

    code = "MAIL_INTENT_MODEL_INVALID"


def fold(text: str) -> str:
    """Lower case with umlauts written out and accents dropped (``Überweisung`` → ``ueberweisung``)."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def extract_dates(text: str, *, year: int | None = None) -> list[date]:
    """Dates written in the text (``05.12.2026``, ``2026-12-05``, ``5 December 2026``, ``5. Dezember``,
    ``December 5th``); a date without a year gets ``year`` when given, else is skipped."""
    found: list[date] = []
    for m in _NUMERIC_DATE.finditer(text):
        if m.group(4):
            parts = (int(m.group(4)), int(m.group(5)), int(m.group(6)))
        else:
            short = int(m.group(3))
            parts = (short + 2000 if short < 100 else short, int(m.group(2)), int(m.group(1)))
        _keep(found, *parts)
    for m in _WORD_DATE.finditer(fold(text)):
        day, month_name, given = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (
            m.group(5), m.group(4), m.group(6))
        month = _MONTHS.get(month_name)
        when = int(given) if given else year
        if month and when:
            _keep(found, when, month, int(day))
    return found


def _keep(found: list[date], year: int, month: int, day: int) -> None:
    try:
        value = date(year, month, day)
    except ValueError:
        return
    if value not in found:
        found.append(value)


def extract_amounts(text: str) -> list[Decimal]:
    """Money amounts with two decimals, in either convention (``1.190,00``, ``1,190.00``, ``1 250,00``)."""
    amounts: list[Decimal] = []
    for m in _AMOUNT.finditer(text):
        whole = re.sub(r"[.,\u00a0\u202f ]", "", m.group(1))
        try:
            amounts.append(Decimal(f"{whole}.{m.group(2)[1:]}"))
        except InvalidOperation:
            continue
    return amounts


def extract_invoice_numbers(text: str) -> list[str]:
    """Document-number-like tokens (``INV-2026-004512``, ``SI/26/01551``, ``90041158``) that are not
    amounts or dates, in order of appearance."""
    masked = _NUMERIC_DATE.sub(" ", _AMOUNT.sub(" ", text))
    numbers: list[str] = []
    for m in _INVOICE.finditer(masked):
        token = m.group(1).strip()
        digits = re.sub(r"\D", "", token)
        if re.fullmatch(r"(19|20)\d{2}", token):
            continue  # a year
        if len(digits) >= 3 and token not in numbers:
            numbers.append(token)
    return numbers


def tokens(subject: str, body: str) -> list[str]:
    """The classifier's tokens: stemmed folded words, and placeholders for amounts, numbers, dates."""
    text = f"{subject}\n{body}"
    marks = (["<amount>"] * bool(extract_amounts(text)) + ["<invoice>"] * bool(extract_invoice_numbers(text))
             + ["<date>"] * bool(extract_dates(text, year=2000)))
    words = [w[:_STEM] for w in re.findall(r"[a-z]{2,}", fold(text))]
    return words + marks


@dataclass(frozen=True)
class MailIntent:
    """The intent of one mail, how sure, and what it names."""

    intent: str
    probability: float
    probabilities: dict[str, float] = field(default_factory=dict)
    invoice_numbers: tuple[str, ...] = ()
    amounts: tuple[Decimal, ...] = ()
    dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class IntentModel:
    """Per-intent log prior and token log-likelihoods (Laplace-smoothed); ``unseen`` for new tokens."""

    log_prior: dict[str, float]
    log_likelihood: dict[str, dict[str, float]]
    unseen: dict[str, float]
    manifest: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(cls, examples: list[tuple[str, str, str]], *, alpha: float = 0.5) -> IntentModel:
        """A model from ``(intent, subject, body)`` examples."""
        counts: dict[str, dict[str, int]] = {i: {} for i in INTENTS}
        docs = dict.fromkeys(INTENTS, 0)
        for intent, subject, body in examples:
            docs[intent] += 1
            for token in tokens(subject, body):
                counts[intent][token] = counts[intent].get(token, 0) + 1
        vocabulary = {t for c in counts.values() for t in c}
        total_docs = sum(docs.values())
        log_prior = {i: math.log((docs[i] + 1) / (total_docs + len(INTENTS))) for i in INTENTS}
        likelihood: dict[str, dict[str, float]] = {}
        unseen: dict[str, float] = {}
        for intent in INTENTS:
            total = sum(counts[intent].values()) + alpha * (len(vocabulary) + 1)
            likelihood[intent] = {t: round(math.log((counts[intent].get(t, 0) + alpha) / total), 6)
                                  for t in sorted(vocabulary)}
            unseen[intent] = math.log(alpha / total)
        return cls(log_prior, likelihood, unseen)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> IntentModel:
        """The model from its JSON document; raises ``MAIL_INTENT_MODEL_INVALID`` when it is incomplete."""
        try:
            model = cls({i: float(data["log_prior"][i]) for i in INTENTS},
                        {i: {t: float(v) for t, v in data["log_likelihood"][i].items()} for i in INTENTS},
                        {i: float(data["unseen"][i]) for i in INTENTS}, dict(data.get("manifest") or {}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MailModelError(f"mail intent model lacks or mangles a field: {exc}") from exc
        return model

    def to_mapping(self) -> dict[str, Any]:
        """The JSON document :meth:`from_mapping` reads."""
        return {"kind": "multinomial_naive_bayes", "intents": list(INTENTS), "log_prior": self.log_prior,
                "log_likelihood": self.log_likelihood, "unseen": self.unseen, "manifest": self.manifest}

    def probabilities(self, subject: str, body: str) -> dict[str, float]:
        """Posterior probability of each intent (tokens the model never saw are skipped)."""
        known = [t for t in tokens(subject, body) if t in self.log_likelihood[INTENTS[0]]]
        scores = {i: self.log_prior[i] + sum(self.log_likelihood[i][t] for t in known) for i in INTENTS}
        top = max(scores.values())
        exp = {i: math.exp(s - top) for i, s in scores.items()}
        norm = sum(exp.values())
        return {i: exp[i] / norm for i in INTENTS}


@lru_cache(maxsize=1)
def default_model() -> IntentModel:
    """The model shipped in the package (read once)."""
    try:
        text = resources.files("docket.cashapp").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise MailModelError(f"mail intent model {MODEL_FILE} is missing from the package") from exc
    return IntentModel.from_mapping(json.loads(text))


def classify_mail(subject: str, body: str, *, model: IntentModel | None = None,
                  today: date | None = None) -> MailIntent:
    """The mail's intent with its probability, and the invoice numbers, amounts and dates it names
    (a date without a year is read in ``today``'s year, when given)."""
    probabilities = (model or default_model()).probabilities(subject, body)
    intent = max(INTENTS, key=lambda i: probabilities[i])
    text = f"{subject}\n{body}"
    return MailIntent(intent=intent, probability=round(probabilities[intent], 4),
                      probabilities={i: round(p, 4) for i, p in probabilities.items()},
                      invoice_numbers=tuple(extract_invoice_numbers(text)), amounts=tuple(extract_amounts(text)),
                      dates=tuple(extract_dates(text, year=today.year if today else None)))


def open_items_named(mail: MailIntent, ledger: Ledger) -> tuple[str, ...]:
    """Ids of the open items the mail's invoice numbers name exactly (separators and OCR look-alikes
    ignored), in the order the mail names them: what a dispute or deduction claim is linked to."""
    found: list[str] = []
    for number in mail.invoice_numbers:
        for hit in ledger.numbers.find(number):
            if hit.kind == "exact" and hit.item_id not in found:
                found.append(hit.item_id)
    return tuple(found)
