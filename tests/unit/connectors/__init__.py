"""Tests of the posting connectors (REST, SQL interface tables, files) and field maps."""
