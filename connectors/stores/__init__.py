"""Stores at the edge: the audit trail, the review workspace's tables and the dashboard's queries.

SQLAlchemy (SQLite by default, PostgreSQL by URL) with Alembic migrations in ``migrations/``.
The values they read and write are the domain's (``docket.audit``, ``docket.review``, ``docket.ops``).
"""
