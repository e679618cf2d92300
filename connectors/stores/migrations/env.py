"""Alembic environment for the audit trail.

``AuditStore`` runs the migrations on the connection it hands over in
``config.attributes["connection"]``; the Alembic command line works too, with
``sqlalchemy.url`` set in its config. The version table has its own name so the audit trail can
share a database with other Docket stores.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from connectors.stores.audit_tables import metadata

VERSION_TABLE = "docket_audit_alembic_version"


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite:///docket-audit.db")
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()
