"""``docket review export-corrections OUT``: reviewers' corrections as a labelled folder for ``docket model train``;
``docket review publish-positions``: every learned field position onto ``vendors.field-positions`` again.

The review store is the audit trail's database (``DOCKET_AUDIT_URL``, or ``--store``); documents come
from the blob store (``DOCKET_BLOB_DIR``, or ``--blobs``). Train with them beside the other folders:
``docket model train var/train-corpus PATH/TO/zugferd OUT``; the manifest then lists OUT's store and counts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    review = typer.Typer(help="Reviewers' work as data.", no_args_is_help=True)
    review.command("export-corrections")(export_corrections_command)
    review.command("publish-positions")(publish_positions_command)
    app.add_typer(review, name="review")


def export_corrections_command(
        out: Annotated[Path, typer.Argument(help="labelled folder to write (documents + truth sidecars)")],
        store: Annotated[str | None, typer.Option(help="review store URL (default: the audit database)")] = None,
        blobs: Annotated[Path | None, typer.Option(help="blob store directory (default: the settings')")] = None,
        entity: Annotated[list[str] | None, typer.Option(help="only these legal entities")] = None) -> None:
    """Write every approved review that corrected fields as a labelled document."""
    from connectors.blobstore import LocalBlobStore
    from connectors.stores.corrections_export import export_corrections
    from connectors.stores.review import ReviewStore
    from streams.settings import get_settings

    settings = get_settings()
    reviews = ReviewStore(store or settings.audit_database_url)
    try:
        summary = export_corrections(reviews, LocalBlobStore(blobs or settings.blob_root), out,
                                     now=datetime.now(UTC), legal_entities=entity or None)
    finally:
        reviews.close()
    Console().print(f"{summary['reviews']} corrected reviews ({summary['corrected_fields']} fields) written to {out}"
                    + (f"; {summary['documents_missing']} documents missing" if summary["documents_missing"] else ""))


def publish_positions_command(
        store: Annotated[str | None, typer.Option(help="review store URL (default: the audit database)")] = None,
) -> None:
    """Publish every vendor's learned field positions (e.g. those learned before the topic existed)."""
    from connectors.stores.review import ReviewStore
    from connectors.web.publisher import KafkaVerdictPublisher
    from streams.settings import get_settings

    settings = get_settings()
    reviews = ReviewStore(store or settings.audit_database_url)
    try:
        records = reviews.positions_records(datetime.now(UTC))
    finally:
        reviews.close()
    KafkaVerdictPublisher(settings).publish_positions(records)
    Console().print(f"{len(records)} vendor position records published")
