"""Docket: business documents in, ERP transactions out.

The ``docket`` package is the pure domain: no Faust, no network. Functions take values
(and a clock or reference data where they need one) and return values or raise a
:class:`docket.errors.DocketError` with a stable code.
"""

__version__ = "0.1.0"
