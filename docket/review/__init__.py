"""The review workspace: tasks people decide on, who may see and decide what, and what they taught.

Pure domain code (values in, values out). The SQLAlchemy store that lives in the audit trail's
database is :mod:`connectors.stores.review`. The web UI is in ``connectors/web``; the Faust agent that
feeds the store from ``reviews.requested`` / ``reviews.completed`` is ``agents/review.py``.
"""
