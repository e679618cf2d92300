"""Enrichment + routing throughput in pure code, with 100k vendors in the directory.

Builds a vendor directory of generated vendors (pronounceable random names, addresses, valid
German VAT IDs and IBANs, some aliases), then pushes generated extraction events through
``enrich_document`` and ``route_document`` the way the agents chain them (histories kept per
``history_key``). Documents identify their vendor by VAT ID, by IBAN, by an alias, or by name and
address only (half of those with OCR-style character slips). Prints and writes
bench/results/enrich_pure.json: directory build rate, documents per second (enrich, route, both),
per-document latency percentiles, resolution accuracy per evidence kind, and the route mix.

    .venv/bin/python bench/enrich_pure.py [--vendors 100000] [--documents 3000] [--seed 7] [--gc-freeze]

``--gc-freeze`` moves the loaded master data out of the cyclic garbage collector's reach
(``gc.freeze()``), as a worker may do after loading its tables: with 100k parties in memory,
full collections otherwise dominate the tail latency.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN
from stdnum.de import vat as de_vat

from docket.dedup.index import VendorHistory, history_key
from docket.enrich import ReferenceData, enrich_document
from docket.model import DocumentExtracted, Envelope, ExtractedField, LineItem, Vendor
from docket.routing.policy import PolicyBook
from docket.routing.stage import route_document

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
ONSETS = ["b", "br", "d", "f", "g", "gr", "h", "k", "kl", "l", "m", "n", "p", "r", "s", "sch", "st", "t", "v", "w",
          "z", "tr", "pf", "sp"]
VOWELS = ["a", "e", "i", "o", "u", "ei", "au", "ie", "ä", "ö", "ü"]
CODAS = ["", "n", "r", "l", "s", "t", "nd", "rt", "ck", "ng", "x", "mm", "tz"]
TRADES = ["Logistik", "Bürobedarf", "Elektrotechnik", "Bau", "Metallbau", "Software", "Consulting", "Reinigung",
          "Druck", "Spedition", "Handel", "Maschinenbau", "Catering", "Energie", "Verpackung", "Sanitär",
          "Holzbau", "Medien", "Transporte", "Werkzeuge", "Systems", "Services", "Trading", "Solutions"]
FORMS = ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", "UG", "OHG", "Ltd", "SE"]
CITIES = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Leipzig", "Dresden", "Bremen",
          "Hannover", "Nürnberg", "Dortmund", "Essen", "Bonn", "Mannheim", "Kiel", "Ulm", "Augsburg"]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenweg", "Lindenallee", "Marktplatz",
           "Schulstraße", "Hafenweg", "Ringstraße", "Bergstraße"]
OCR_SLIPS = {"l": "1", "o": "0", "i": "l", "e": "c", "m": "rn", "S": "5", "B": "8", "u": "v", "n": "ri"}


def word(rng: random.Random) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                   for _ in range(rng.choice((1, 2, 2, 3)))).capitalize()


def vat_id(n: int) -> str:
    """A valid German VAT ID (ISO 7064 mod 11,10 check digit) numbered ``n``."""
    body = f"{10000000 + n:08d}"  # a German VAT number never starts with 0
    return "DE" + body + str(de_vat.mod_11_10.calc_check_digit(body))


def make_vendors(count: int, rng: random.Random) -> list[Vendor]:
    vendors, seen = [], set()
    while len(vendors) < count:
        shape = rng.random()
        if shape < 0.5:
            name = f"{word(rng)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
        elif shape < 0.8:
            name = f"{word(rng)} & {word(rng)} {rng.choice(FORMS)}"
        else:
            suffix = rng.choice(["tec", "plan", "log", "bau", "data"])
            name = f"{word(rng)}{suffix} {rng.choice(CITIES)} {rng.choice(FORMS)}"
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        n = len(vendors)
        vendors.append(Vendor(
            party_id=f"V{n:06d}", legal_entity="LE1", name=name, vat_id=vat_id(n), country="DE",
            address=f"{rng.choice(STREETS)} {rng.randint(1, 200)}, {rng.randint(10000, 99999)} {rng.choice(CITIES)}",
            ibans=[str(IBAN.generate("DE", bank_code="37040044", account_code=f"{n + 1000:010d}"))],
            aliases=[f"{name.split()[0]} {rng.choice(CITIES)}"] if n % 10 == 0 else [],
            default_gl_account="6300", tax_code="VST19", payment_terms="30 Tage netto", updated_at=NOW))
    return vendors


def german(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def slip(text: str, rng: random.Random) -> str:
    positions = [i for i, ch in enumerate(text) if ch in OCR_SLIPS]
    if not positions:
        return text
    i = rng.choice(positions)
    return text[:i] + OCR_SLIPS[text[i]] + text[i + 1:]


def field(name: str, raw: str, confidence: float = 0.97) -> ExtractedField:
    return ExtractedField(name=name, value=raw, raw_text=raw, confidence=confidence, method="layout",
                          engine="text_layer")


def make_document(n: int, vendor: Vendor, evidence: str, rng: random.Random) -> DocumentExtracted:
    lines, net = [], Decimal(0)
    for index in range(rng.randint(1, 4)):
        quantity, price = Decimal(rng.randint(1, 20)), Decimal(rng.randint(100, 20000)) / 100
        amount = quantity * price
        net += amount
        lines.append(LineItem(index=index, fields=[
            field("description", f"Artikel {rng.randint(1, 999)}"), field("quantity", str(quantity)),
            field("unit_price", german(price)), field("amount", german(amount)), field("tax_rate", "19 %")]))
    tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    name = vendor.name
    fields = [field("invoice_number", f"RE-{2025}-{n:05d}"), field("invoice_date", f"{rng.randint(1, 28):02d}.04.2025"),
              field("currency", "EUR"), field("net_total", german(net)), field("tax_total", german(tax)),
              field("total", german(net + tax)), field("tax_1_rate", "19 %"), field("tax_1_amount", german(tax))]
    if evidence == "vat_id":
        fields.append(field("supplier_vat_id", vendor.vat_id or ""))
    elif evidence == "iban":
        fields.append(field("supplier_iban", vendor.ibans[0]))
    elif evidence == "alias":
        name = vendor.aliases[0]
    elif evidence == "name_ocr":
        name = slip(name, rng)
    fields += [field("supplier_name", name), field("supplier_address", vendor.address or "")]
    return DocumentExtracted(
        envelope=Envelope.new(document_id=f"doc-{n}", legal_entity="LE1", producer="bench", now=NOW),
        blob_uri=f"file:///blobs/{n}", sha256=f"{n:064x}", document_type="invoice", type_confidence=0.98,
        page_count=1, reading="text_layer", fields=fields, line_items=lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gc-freeze", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    vendors = make_vendors(args.vendors, rng)
    reference = ReferenceData()
    load_before = os.getloadavg()[0]
    started, started_cpu = time.perf_counter(), time.process_time()
    for vendor in vendors:
        reference.vendors.upsert(vendor)
    build_seconds, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    if args.gc_freeze:
        gc.collect()
        gc.freeze()

    mix = ["vat_id"] * 4 + ["iban"] * 2 + ["alias"] + ["name"] * 2 + ["name_ocr"]
    documents = []
    for n in range(args.documents):
        evidence = rng.choice(mix)
        pool = [v for v in (rng.choice(vendors) for _ in range(20)) if v.aliases] if evidence == "alias" else None
        vendor = pool[0] if pool else rng.choice(vendors[: args.vendors // 20])  # repeat vendors: histories
        documents.append((evidence if evidence != "alias" or pool else "vat_id", vendor,
                          make_document(n, vendor, evidence if evidence != "alias" or pool else "vat_id", rng)))

    policies = PolicyBook.load()
    enrich_document(documents[0][2], reference, now=NOW)  # warm caches (babel, rules) outside the timing
    histories: dict[str, VendorHistory] = {}
    enrich_times, route_times, cpu_times = [], [], []
    outcomes: dict[str, Counter[str]] = {}
    routes: Counter[str] = Counter()
    for evidence, vendor, document in documents:
        c0, t0 = time.process_time(), time.perf_counter()
        enriched = enrich_document(document, reference, now=NOW)
        t1 = time.perf_counter()
        key = history_key(enriched)
        routed = route_document(enriched, histories.get(key, VendorHistory()), policies, now=NOW)
        histories[key] = routed.history
        t2 = time.perf_counter()
        cpu_times.append(time.process_time() - c0)
        enrich_times.append(t1 - t0)
        route_times.append(t2 - t1)
        routes[routed.decision.route] += 1
        match = enriched.vendor
        outcome = ("unresolved" if match is None or match.party_id is None
                   else "correct" if match.party_id == vendor.party_id else "wrong")
        outcomes.setdefault(evidence, Counter())[outcome] += 1

    total_enrich, total_route = sum(enrich_times), sum(route_times)
    both = [a + b for a, b in zip(enrich_times, route_times, strict=True)]
    quantiles = statistics.quantiles(both, n=100)
    results = {
        "vendors": args.vendors, "documents": args.documents, "seed": args.seed, "gc_freeze": args.gc_freeze,
        "directory_build_seconds": round(build_seconds, 2),
        "directory_upserts_per_second": round(args.vendors / build_seconds),
        "directory_upserts_per_cpu_second": round(args.vendors / build_cpu),
        "enrich_per_second": round(args.documents / total_enrich, 1),
        "route_per_second": round(args.documents / total_route, 1),
        "enrich_and_route_per_second": round(args.documents / (total_enrich + total_route), 1),
        "enrich_and_route_per_cpu_second": round(args.documents / sum(cpu_times), 1),
        "latency_ms": {"p50": round(quantiles[49] * 1000, 2), "p95": round(quantiles[94] * 1000, 2),
                       "p99": round(quantiles[98] * 1000, 2), "max": round(max(both) * 1000, 2)},
        "resolution": {k: dict(v) for k, v in sorted(outcomes.items())},
        "routes": dict(routes),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # Wall-clock figures depend on what else runs on the 2 shared cores; CPU figures less so.
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(results, indent=2))
    out = Path(__file__).parent / "results" / "enrich_pure.json"
    if args.gc_freeze:
        out = out.with_name("enrich_pure_gc_freeze.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
