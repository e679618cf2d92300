"""The web front: the review workspace (``app.create_app``), the operations dashboard and ``/metrics``."""
