"""``python -m devkit.corpus generate --out DIR --count N --seed S [--types ...] [--conditions ...]``,
``python -m devkit.corpus tills --out DIR --count N --seed S`` (till slips, :mod:`devkit.corpus.tills`)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from devkit.corpus.generate import generate_corpus
from devkit.corpus.golden import write_golden
from devkit.corpus.tills import write_tills
from devkit.corpus.vocabulary import CONDITIONS, DOCUMENT_TYPES
from docket.errors import DocketError


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of the generator."""
    parser = argparse.ArgumentParser(prog="python -m devkit.corpus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write documents and <id>.truth.json files")
    generate.add_argument("--out", type=Path, required=True, help="output directory (created)")
    generate.add_argument("--count", type=int, required=True, help="number of documents")
    generate.add_argument("--seed", type=int, default=0, help="corpus seed (same seed, same files)")
    generate.add_argument("--types", type=_csv, default=list(DOCUMENT_TYPES),
                          help=f"comma-separated document types (default all: {','.join(DOCUMENT_TYPES)})")
    generate.add_argument("--conditions", type=_csv, default=list(CONDITIONS),
                          help=f"comma-separated conditions (default all: {','.join(CONDITIONS)})")
    generate.add_argument("--split", choices=("all", "dev", "holdout"), default="all",
                          help="layout families to draw from")
    tills = commands.add_parser("tills", help="write till slips of many shops and regions (devkit.corpus.tills)")
    tills.add_argument("--out", type=Path, required=True)
    tills.add_argument("--count", type=int, required=True)
    tills.add_argument("--seed", type=int, default=0)
    golden = commands.add_parser("golden", help="write the fixed golden set (see devkit.corpus.golden)")
    golden.add_argument("--out", type=Path, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 on a bad request)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "golden":
            truths = write_golden(args.out)
        elif args.command == "tills":
            truths = write_tills(args.out, args.count, args.seed)
        else:
            truths = generate_corpus(args.out, args.count, args.seed, args.types, args.conditions, args.split)
    except DocketError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    summary = Counter((truth.document_type, truth.condition) for truth in truths)
    for (document_type, condition), number in sorted(summary.items()):
        print(f"{document_type:18} {condition:13} {number}")
    print(f"{len(truths)} documents written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
