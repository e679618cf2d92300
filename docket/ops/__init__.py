"""Operations figures: straight-through rate, latency, accuracy, duplicates, posting health,
order-to-cash, consumer lag — computed from the audit store, per legal entity, per document type
and over time.

``queries.load_activity`` reads the rows, ``dashboard.build_dashboard`` turns them into a
:class:`~docket.ops.model.Dashboard`; ``queries.search_documents`` finds documents for their trail.
"""

from docket.ops.dashboard import OpsInputError, build_dashboard
from docket.ops.model import Bucket, CashFigures, ConsumerLag, Dashboard, DocumentHit, Figures

__all__ = ["Bucket", "CashFigures", "ConsumerLag", "Dashboard", "DocumentHit", "Figures", "OpsInputError",
           "build_dashboard"]
