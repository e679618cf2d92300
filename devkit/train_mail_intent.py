"""Fit the customer-mail intent classifier on the labelled mails' training part and write it to the package.

Data: ``devkit/mail_intent/labelled.jsonl`` (English, German and French mails written for this,
each with ``split`` ``train`` or ``heldout``); only ``train`` rows are read here, the held-out
rows are for ``bench/mail_classify.py``. Deterministic: the same file gives the same model.

    PYTHONPATH=. python -m devkit.train_mail_intent [--out docket/cashapp/mail_intent_model.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from docket.cashapp.mail_intent import IntentModel

DATA = Path(__file__).parent / "mail_intent" / "labelled.jsonl"
DEFAULT_OUT = Path("docket/cashapp/mail_intent_model.json")
ALPHA = 0.5


def labelled(split: str, path: Path = DATA) -> list[dict[str, Any]]:
    """The labelled mails of one split (``train`` or ``heldout``)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["split"] == split]


def train(path: Path = DATA) -> IntentModel:
    """The model fitted on the training split, with its manifest."""
    rows = labelled("train", path)
    model = IntentModel.fit([(r["intent"], r["subject"], r["body"]) for r in rows], alpha=ALPHA)
    manifest = {"data": str(path.name), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "train_rows": len(rows), "languages": sorted({r["lang"] for r in rows}), "alpha": ALPHA,
                "retrain": "PYTHONPATH=. python -m devkit.train_mail_intent"}
    return IntentModel(model.log_prior, model.log_likelihood, model.unseen, manifest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    model = train()
    args.out.write_text(json.dumps(model.to_mapping(), ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"trained on {model.manifest['train_rows']} mails, wrote {args.out}")


if __name__ == "__main__":
    main()
