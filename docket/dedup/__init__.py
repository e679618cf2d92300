"""Duplicate and amendment detection against the documents seen before."""
