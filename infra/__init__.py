"""How the real services start locally: Kafka (KRaft), the schema registry, the ERP, a database.

Nothing here is a fake: each module fetches the real program from a package registry (Maven
Central, PyPI, Debian), caches it outside the repository (``~/.cache/docket``), and runs it on
127.0.0.1 with its data under a state directory that survives restarts.
"""
