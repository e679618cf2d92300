"""structlog set-up: JSON lines in production, readable console output locally.

Log events carry ``document_id`` through :func:`bind_document`; never log document text, bank
details or tokens (events hold those, redacted where they leave the system).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import structlog


def configure_logging(fmt: str = "console", level: str = "INFO") -> None:
    """Route structlog and the standard library (Faust, aiokafka) through one renderer."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(processor=renderer, foreign_pre_chain=shared))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


@contextmanager
def bind_document(document_id: str, **context: str) -> Iterator[None]:
    """Bind ``document_id`` (and more context) to every log line inside the block."""
    with structlog.contextvars.bound_contextvars(document_id=document_id, **context):
        yield
