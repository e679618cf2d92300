"""Tests of the audit trail store."""
