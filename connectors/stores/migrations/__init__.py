"""Alembic migrations of the audit trail (run by ``AuditStore`` on open)."""
