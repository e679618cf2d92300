"""Development kit: the labelled corpus and ledger generators.

Test data, not product code: tests, benchmarks and ``samples/`` import it; nothing under
``docket/``, ``agents/``, ``connectors/`` or ``streams/`` does.
"""
