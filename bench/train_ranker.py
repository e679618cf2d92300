"""Train the candidate ranker from labelled receipts with OCR results cached on disk (fast reruns).

    python bench/train_ranker.py --receipts var/ranker-corpus [--out docket/understanding/data/models] [--seed 7]

The same training as ``docket model ranker train`` (which recognises every scan afresh): a generated corpus
(see docket/understanding/data/models/README.md) or a SROIE-style folder (ranks 131-260 never read), one file
in five held back as ``calib``. Prints the per-field table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli.ranker_cmd import field_names, print_metrics  # noqa: E402
from devkit.ocr_cache import CachedOcrEngine  # noqa: E402
from docket.reading.ocr import RapidOcrEngine  # noqa: E402
from docket.understanding.learn.ranker_train import SHIPPED_FIELDS, gather, train_and_write  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--receipts", type=Path, required=True)
    parser.add_argument("--fields", default=",".join(SHIPPED_FIELDS))
    parser.add_argument("--out", type=Path, default=ROOT / "docket" / "understanding" / "data" / "models")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.process_time()
    gathered = gather(args.receipts, CachedOcrEngine(RapidOcrEngine()))
    gathered_cpu = time.process_time() - started
    manifest = train_and_write(gathered, args.out, seed=args.seed, source=args.receipts.name,
                               fields=field_names(args.fields))
    console = Console(width=140)
    console.print(f"{len(gathered.documents)} receipts ({len(gathered.failed)} unreadable), candidates "
                  f"{manifest['candidates']}, gathering {gathered_cpu:.1f} CPU-s, training "
                  f"{time.process_time() - started - gathered_cpu:.1f} CPU-s; model sha256 {manifest['model_sha256']}")
    print_metrics(console, "train split", manifest["metrics_train"])
    print_metrics(console, "calib split", manifest["metrics_calib"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
