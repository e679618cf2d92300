"""Invented but valid-looking companies: names, postal addresses, VAT IDs, IBANs.

Identifiers are made with real check digits (python-stdnum validates every VAT ID and tax number,
schwifty builds IBANs on real bank codes and looks up the BIC), so a validator downstream sees
them as well-formed. Everything is drawn from the ``random.Random`` passed in: same seed, same
companies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from schwifty import IBAN
from stdnum import get_cc_module
from stdnum.de import stnr as de_stnr
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from devkit.corpus.formatting import collapse

#: countries by document language; the first is the most common
COUNTRIES_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": ("GB", "US", "GB", "IE"),
    "de": ("DE", "DE", "AT", "CH"),
    "fr": ("FR", "FR", "BE", "CH"),
    "es": ("ES",),
    "nl": ("NL", "NL", "BE"),
}
CURRENCY_BY_COUNTRY = {"GB": "GBP", "US": "USD", "CH": "CHF"}
TAX_RATES: dict[str, tuple[str, ...]] = {
    "DE": ("19", "7"), "AT": ("20", "10"), "CH": ("8.1", "2.6"), "FR": ("20", "5.5"), "BE": ("21", "6"),
    "ES": ("21", "10"), "NL": ("21", "9"), "GB": ("20", "5"), "IE": ("23", "13.5"), "US": ("8.25", "0"),
}

_SURNAMES = {
    "GB": ("Ashworth", "Pemberton", "Hollis", "Carrington", "Whitfield", "Brennan", "Lowry", "Thornton"),
    "US": ("Mitchell", "Harper", "Delgado", "Sullivan", "Kowalski", "Bennett", "Hayes", "Monroe"),
    "IE": ("O'Connell", "Byrne", "Gallagher", "Doyle", "Keane", "Murphy"),
    "DE": ("Brandt", "Krüger", "Vogel", "Schäfer", "Hoffmann", "Lindner", "Weiß", "Bauer", "Köhler"),
    "AT": ("Gruber", "Huber", "Steiner", "Moser", "Hofer", "Leitner"),
    "CH": ("Meier", "Baumann", "Keller", "Brunner", "Zürcher", "Graf"),
    "FR": ("Lefèvre", "Moreau", "Girard", "Dubois", "Mercier", "Rousseau", "Chevalier", "Fontaine"),
    "BE": ("Peeters", "Janssens", "Dubois", "Lambert", "Maes", "Willems"),
    "ES": ("García", "Martínez", "Fernández", "Navarro", "Ortega", "Serrano", "Jiménez", "Castillo"),
    "NL": ("de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "de Jong", "Mulder"),
}
_TRADES = {
    "en": ("Logistics", "Engineering", "Office Supplies", "Packaging", "Consulting", "Electrical", "Foods",
           "Print & Media", "Industrial Parts", "Facility Services"),
    "de": ("Logistik", "Maschinenbau", "Bürobedarf", "Verpackungen", "Beratung", "Elektrotechnik",
           "Feinkost", "Druckerei", "Industriebedarf", "Gebäudeservice"),
    "fr": ("Logistique", "Ingénierie", "Fournitures de bureau", "Emballages", "Conseil", "Électricité",
           "Alimentation", "Imprimerie", "Pièces industrielles", "Services"),
    "es": ("Logística", "Ingeniería", "Suministros de oficina", "Embalajes", "Consultoría", "Electricidad",
           "Alimentación", "Artes Gráficas", "Recambios Industriales", "Servicios"),
    "nl": ("Logistiek", "Techniek", "Kantoorartikelen", "Verpakkingen", "Advies", "Elektro", "Voeding",
           "Drukwerk", "Industriële Onderdelen", "Facilitair"),
}
_INVENTED = ("Nordlicht", "Alpenwerk", "Bluecrest", "Solvera", "Kestrel", "Meridian", "Vantora", "Altaris",
             "Brightwater", "Ostara", "Lumenis", "Corvana", "Tessaro", "Quintel", "Havelock", "Rivergate")
_LEGAL_FORMS = {
    "GB": ("Ltd", "Limited", "PLC", "LLP"), "IE": ("Ltd", "DAC"), "US": ("Inc.", "LLC", "Corp."),
    "DE": ("GmbH", "GmbH & Co. KG", "AG", "e.K."), "AT": ("GmbH", "KG", "AG"), "CH": ("AG", "GmbH", "SA"),
    "FR": ("SARL", "SAS", "SA", "EURL"), "BE": ("SRL", "NV", "BV", "SA"), "ES": ("S.L.", "S.A.", "S.L.U."),
    "NL": ("B.V.", "N.V.", "V.O.F."),
}
_STREETS = {
    "GB": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Kings Road"),
    "IE": ("Main Street", "Harbour Road", "Dame Street", "Patrick Street"),
    "US": ("Market Street", "Main Street", "Oak Avenue", "Industrial Parkway", "Lincoln Blvd"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenweg", "Lindenallee", "Am Hafen"),
    "AT": ("Mariahilfer Straße", "Landstraße", "Hauptplatz", "Industriezeile"),
    "CH": ("Bahnhofstrasse", "Seestrasse", "Industriestrasse", "Dorfstrasse"),
    "FR": ("rue de la République", "avenue Jean Jaurès", "boulevard Voltaire", "rue des Tanneurs", "rue Nationale"),
    "BE": ("Rue Neuve", "Avenue Louise", "Kerkstraat", "Chaussée de Wavre"),
    "ES": ("Calle Mayor", "Avenida de la Constitución", "Calle Real", "Paseo de Gracia", "Calle del Carmen"),
    "NL": ("Keizersgracht", "Stationsweg", "Dorpsstraat", "Industrieweg", "Kerkstraat"),
}
_CITIES = {
    "GB": (("London", "EC1A 1BB"), ("Manchester", "M1 4BT"), ("Leeds", "LS1 4AP"), ("Bristol", "BS1 6QA")),
    "IE": (("Dublin 2", "D02 X285"), ("Cork", "T12 RX54")),
    "US": (("San Francisco, CA", "94103"), ("Chicago, IL", "60607"), ("Austin, TX", "78701")),
    "DE": (("Hamburg", "20095"), ("München", "80331"), ("Köln", "50667"), ("Stuttgart", "70173"), ("Leipzig", "04109")),
    "AT": (("Wien", "1060"), ("Graz", "8010"), ("Linz", "4020")),
    "CH": (("Zürich", "8001"), ("Basel", "4051"), ("Genève", "1201")),
    "FR": (("Paris", "75011"), ("Lyon", "69002"), ("Nantes", "44000"), ("Toulouse", "31000")),
    "BE": (("Bruxelles", "1000"), ("Antwerpen", "2000"), ("Liège", "4000")),
    "ES": (("Madrid", "28013"), ("Barcelona", "08007"), ("Valencia", "46002"), ("Sevilla", "41001")),
    "NL": (("Amsterdam", "1015 CJ"), ("Rotterdam", "3011 AD"), ("Utrecht", "3511 LX"), ("Eindhoven", "5611 AB")),
}
_DIAL = {"GB": 44, "IE": 353, "US": 1, "DE": 49, "AT": 43, "CH": 41, "FR": 33, "BE": 32, "ES": 34, "NL": 31}
_COUNTRY_NAMES = {"GB": "United Kingdom", "IE": "Ireland", "US": "USA", "DE": "Deutschland", "AT": "Österreich",
                  "CH": "Schweiz", "FR": "France", "BE": "Belgique", "ES": "España", "NL": "Nederland"}


@dataclass(frozen=True)
class Company:
    """A party as printed on a document. ``vat_id`` etc. are None where the country has none."""

    name: str
    address_lines: tuple[str, ...]
    country: str
    vat_id: str | None
    vat_id_printed: str | None
    tax_number: str | None
    iban: str | None
    iban_printed: str | None
    bic: str | None
    phone: str
    email: str

    @property
    def address(self) -> str:
        """The postal address as one line of text (the truth form)."""
        return collapse(" ".join(self.address_lines))


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _complete(module: Any, prefix: str, suffix: str, alphabet: str, positions: int,
              rng: random.Random) -> str:
    """``prefix`` + the check characters that make ``module.is_valid`` accept it (+ ``suffix``)."""
    candidates = [""]
    for _ in range(positions):
        candidates = [c + a for c in candidates for a in alphabet]
    rng.shuffle(candidates)
    for check in candidates:
        number = prefix + check + suffix
        if module.is_valid(number):
            return number
    raise ValueError(f"no valid check characters for {prefix!r}")  # redraw a new body


def make_vat_id(country: str, rng: random.Random) -> str | None:
    """A VAT ID with a valid check (compact form, e.g. ``DE123456788``), or None for the US."""
    digits = "0123456789"
    while True:
        try:
            return _vat_id_attempt(country, rng, digits)
        except ValueError:
            continue


def _vat_id_attempt(country: str, rng: random.Random, digits: str) -> str | None:
    mod = get_cc_module(country.lower(), "vat") if country not in {"US", "IE"} else None
    if country == "DE":
        return _complete(mod, "DE" + str(rng.randint(1, 9)) + _digits(rng, 7), "", digits, 1, rng)
    if country == "AT":
        return _complete(mod, "ATU" + _digits(rng, 7), "", digits, 1, rng)
    if country == "FR":
        siren = _complete(fr_siren, str(rng.randint(3, 9)) + _digits(rng, 7), "", digits, 1, rng)
        return _complete(mod, "FR", siren, digits, 2, rng)
    if country == "ES":
        return _complete(mod, "ES" + rng.choice("AB") + _digits(rng, 7), "", digits, 1, rng)
    if country == "NL":
        return _complete(mod, "NL" + _digits(rng, 8), "B01", digits, 1, rng)
    if country == "BE":
        return _complete(mod, "BE0" + str(rng.randint(2, 9)) + _digits(rng, 6), "", digits, 2, rng)
    if country == "GB":
        return _complete(mod, "GB" + str(rng.randint(1, 9)) + _digits(rng, 6), "", digits, 2, rng)
    if country == "CH":
        return _complete(mod, "CHE" + _digits(rng, 8), "MWST", digits, 1, rng)
    if country == "IE":
        from stdnum.ie import vat as ie_vat
        return _complete(ie_vat, "IE" + _digits(rng, 7), "", "ABCDEFGHIJKLMNOPQRSTUVW", 1, rng)
    return None


def printed_vat_id(vat_id: str, rng: random.Random) -> str:
    """How a company prints its VAT ID: compact, or spaced as some countries do."""
    if vat_id.startswith("CHE"):
        body = vat_id[3:12]
        return f"CHE-{body[:3]}.{body[3:6]}.{body[6:]} {vat_id[12:]}"
    if vat_id.startswith("GB") and rng.random() < 0.5:
        return f"GB {vat_id[2:5]} {vat_id[5:9]} {vat_id[9:]}"
    if vat_id.startswith("FR") and rng.random() < 0.5:
        return f"FR {vat_id[2:4]} {vat_id[4:7]} {vat_id[7:10]} {vat_id[10:]}"
    if vat_id.startswith("BE") and rng.random() < 0.5:
        return f"BE {vat_id[2:6]}.{vat_id[6:9]}.{vat_id[9:]}"
    return vat_id


def make_tax_number(country: str, rng: random.Random, vat_id: str | None) -> str | None:
    """A national registration number printed as such (DE Steuernummer, FR SIRET, NL KvK, GB Co. No.)."""
    if country == "DE":
        while True:
            number = f"{rng.randint(21, 37)}/{_digits(rng, 3)}/{_digits(rng, 5)}"
            if de_stnr.is_valid(number):
                return number
    if country == "FR" and vat_id:
        siret = _complete(fr_siret, vat_id[4:] + "0001", "", "0123456789", 1, rng)
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    if country == "NL":
        return _digits(rng, 8)
    if country == "GB":
        return _digits(rng, 8)
    return None


def make_iban(country: str, rng: random.Random) -> tuple[str, str | None] | None:
    """An IBAN on a real bank code (compact) and the bank's BIC when the registry knows it."""
    if country == "US":
        return None
    # French and Swiss account numbers are digits in practice; schwifty would mix in letters
    numeric_account = {"FR": 11, "CH": 12}.get(country)
    if numeric_account:
        iban = IBAN.random(country_code=country, random=rng, account_code=_digits(rng, numeric_account))
    else:
        iban = IBAN.random(country_code=country, random=rng)
    bic = iban.bic
    return str(iban.compact), (str(bic) if bic is not None else None)


def _company_name(country: str, language: str, rng: random.Random) -> str:
    surname = rng.choice(_SURNAMES[country])
    trade = rng.choice(_TRADES[language])
    form = rng.choice(_LEGAL_FORMS[country])
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{surname} {trade} {form}"
    if pattern == 1:
        return f"{rng.choice(_INVENTED)} {trade} {form}"
    if pattern == 2:
        other = rng.choice(_SURNAMES[country])
        joiner = {"de": "&", "fr": "et", "es": "y", "nl": "&", "en": "&"}[language]
        return f"{surname} {joiner} {other} {form}"
    return f"{rng.choice(_INVENTED)} {form}"


def _address(country: str, rng: random.Random, with_country: bool) -> tuple[str, ...]:
    street = rng.choice(_STREETS[country])
    number = str(rng.randint(1, 180))
    city, postcode = rng.choice(_CITIES[country])
    if country in {"GB", "IE", "US", "FR"}:
        street_line = f"{number} {street}"
    elif country == "ES":
        street_line = f"{street} {number}"
    else:
        street_line = f"{street} {number}"
    if country in {"GB", "IE"}:
        lines: tuple[str, ...] = (street_line, city, postcode)
    elif country == "US":
        lines = (street_line, f"{city} {postcode}")
    else:
        lines = (street_line, f"{postcode} {city}")
    return (*lines, _COUNTRY_NAMES[country]) if with_country else lines


def make_company(language: str, rng: random.Random, country: str | None = None) -> Company:
    """A company from a country speaking ``language`` (or from ``country``), with valid identifiers."""
    country = country or rng.choice(COUNTRIES_BY_LANGUAGE[language])
    name = _company_name(country, language, rng)
    vat_id = make_vat_id(country, rng)
    bank = make_iban(country, rng)
    domain = "".join(ch for ch in name.split()[0].lower() if ch.isalnum() and ch.isascii()) or "mail"
    tld = {"GB": "co.uk", "US": "com"}.get(country, country.lower())
    return Company(
        name=name,
        address_lines=_address(country, rng, with_country=rng.random() < 0.4),
        country=country,
        vat_id=vat_id,
        vat_id_printed=printed_vat_id(vat_id, rng) if vat_id else None,
        tax_number=make_tax_number(country, rng, vat_id),
        iban=bank[0] if bank else None,
        iban_printed=" ".join(bank[0][i:i + 4] for i in range(0, len(bank[0]), 4)) if bank else None,
        bic=bank[1] if bank else None,
        phone=f"+{_DIAL[country]} {rng.randint(10, 99)} {_digits(rng, 4)} {_digits(rng, 3)}",
        email=f"accounts@{domain}.{tld}",
    )
