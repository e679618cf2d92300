"""Pytest plugins of the suite (loaded from tests/conftest.py)."""
