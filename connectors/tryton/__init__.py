"""The Tryton ERP connector: JSON-RPC client, posting sink and master-data reads."""

from connectors.tryton.client import TrytonClient, TrytonLoginFailed, TrytonUserError
from connectors.tryton.sink import TrytonSink

__all__ = ["TrytonClient", "TrytonLoginFailed", "TrytonSink", "TrytonUserError"]
