"""Routing: where a system-ready document goes (post, review, reject, duplicate, reextract)."""
