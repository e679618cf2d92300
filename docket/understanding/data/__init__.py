"""Data files of the understanding stage (label dictionaries, document titles, vendor templates)."""
