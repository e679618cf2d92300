"""The edges of Docket: sources that bring documents in, sinks that post into target systems.

One module (or package) per external system, each behind the small Protocols in
:mod:`connectors.base`.
"""
