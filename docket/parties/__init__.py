"""Parties: who sent (or is named on) a document, resolved against master data."""
