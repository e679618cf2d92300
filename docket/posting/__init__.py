"""Posting policy: when to retry a target, when to stop calling it, what a result records."""
