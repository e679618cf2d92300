"""Every topic Docket uses, declared once: partitions, retention, compaction, purpose.

Topics are created up front (``docket topics create``): Faust would otherwise create an output
topic only on its first send, and a consumer started earlier would miss it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class TopicSpec:
    """One logical topic. ``subject`` is the Avro subject of its values (``<topic>-value``)."""

    name: str
    description: str
    compacted: bool = False
    retention_ms: int = 14 * DAY_MS
    partitions: int | None = None  # None: the settings' default
    config: dict[str, str] = field(default_factory=dict)

    def kafka_config(self) -> dict[str, str]:
        config = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if self.compacted:
            # Master data is read whole by every worker: keep the latest value per key forever.
            config.update({"retention.ms": "-1", "min.cleanable.dirty.ratio": "0.1",
                           "delete.retention.ms": str(DAY_MS)})
        else:
            config["retention.ms"] = str(self.retention_ms)
        config.update(self.config)
        return config


DOCUMENTS_RECEIVED = TopicSpec("documents.received", "documents stored in the blob store (claim check)",
                               retention_ms=30 * DAY_MS)
DOCUMENTS_EXTRACTED = TopicSpec("documents.extracted", "classified documents with fields, confidence, boxes",
                                retention_ms=30 * DAY_MS)
DOCUMENTS_ENRICHED = TopicSpec("documents.enriched", "normalized, validated, master-data enriched documents",
                               retention_ms=30 * DAY_MS)
DOCUMENTS_ROUTED = TopicSpec("documents.routed", "every routing decision with its reasons",
                             retention_ms=90 * DAY_MS)
DOCUMENTS_REJECTED = TopicSpec("documents.rejected", "documents a stage could not process, with error codes",
                               retention_ms=90 * DAY_MS)
DOCUMENTS_BY_VENDOR = TopicSpec("documents.by-vendor", "enriched documents repartitioned by vendor (dedup)")
REVIEWS_REQUESTED = TopicSpec("reviews.requested", "tasks for people", retention_ms=90 * DAY_MS)
REVIEWS_COMPLETED = TopicSpec("reviews.completed", "reviewer decisions and corrections",
                              retention_ms=365 * DAY_MS)
POSTINGS_REQUESTED = TopicSpec("postings.requested", "postings to ERP targets, one per target",
                               retention_ms=30 * DAY_MS)
POSTINGS_RETRY = TopicSpec("postings.retry", "postings waiting to be retried after a transient failure",
                           retention_ms=7 * DAY_MS)
POSTINGS_RESULTS = TopicSpec("postings.results", "what each target answered", retention_ms=365 * DAY_MS)
PAYMENTS_RECEIVED = TopicSpec("payments.received", "bank statement lines and remittance payments",
                              retention_ms=90 * DAY_MS)
PAYMENTS_BY_MATCH_KEY = TopicSpec("payments.by-match-key", "payments and remittance advices repartitioned by "
                                  "legal entity, currency and amount (advice meets its money)",
                                  retention_ms=90 * DAY_MS)
CASH_APPLICATIONS = TopicSpec("cash.applications", "how payments were applied to open items",
                              retention_ms=365 * DAY_MS)
MASTERDATA_VENDORS = TopicSpec("masterdata.vendors", "vendors per legal entity", compacted=True)
MASTERDATA_CUSTOMERS = TopicSpec("masterdata.customers", "customers per legal entity", compacted=True)
MASTERDATA_PURCHASE_ORDERS = TopicSpec("masterdata.purchase_orders", "purchase orders", compacted=True)
MASTERDATA_OPEN_ITEMS = TopicSpec("masterdata.open_items", "open receivables", compacted=True)
MASTERDATA_XREFS = TopicSpec("masterdata.xrefs", "cross-references: (system, external id) -> party",
                             compacted=True)
VENDOR_FIELD_POSITIONS = TopicSpec("vendors.field-positions", "where each vendor prints each field, learned from "
                                   "reviewers' corrections (key legal_entity:vendor_id:document_type)",
                                   compacted=True)
DEADLETTER = TopicSpec("docket.deadletter", "messages no consumer could decode, with the original bytes",
                       retention_ms=365 * DAY_MS)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    DOCUMENTS_RECEIVED, DOCUMENTS_EXTRACTED, DOCUMENTS_ENRICHED, DOCUMENTS_ROUTED, DOCUMENTS_REJECTED,
    DOCUMENTS_BY_VENDOR, REVIEWS_REQUESTED, REVIEWS_COMPLETED, POSTINGS_REQUESTED, POSTINGS_RETRY,
    POSTINGS_RESULTS, PAYMENTS_RECEIVED, PAYMENTS_BY_MATCH_KEY, CASH_APPLICATIONS, MASTERDATA_VENDORS,
    MASTERDATA_CUSTOMERS, MASTERDATA_PURCHASE_ORDERS, MASTERDATA_OPEN_ITEMS, MASTERDATA_XREFS, VENDOR_FIELD_POSITIONS,
    DEADLETTER,
)


def by_name(name: str) -> TopicSpec:
    """The spec of logical topic ``name``; KeyError names the known topics."""
    for spec in ALL_TOPICS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown topic {name!r}; known: {', '.join(s.name for s in ALL_TOPICS)}")


DOWNSTREAM_TARGET_PREFIX = "topic:"
DOWNSTREAM_TOPIC_PREFIX = "postings.out."
_DOWNSTREAM_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,100}$")


def downstream_name(target: str) -> str:
    """The downstream name in a ``topic:<name>`` posting target (``topic:crm`` -> ``crm``).

    Raises ValueError for a target that is not a downstream topic or whose name Kafka would not take.
    """
    if not target.startswith(DOWNSTREAM_TARGET_PREFIX):
        raise ValueError(f"posting target {target!r} is not a downstream topic (topic:<name>)")
    name = target[len(DOWNSTREAM_TARGET_PREFIX):]
    if not _DOWNSTREAM_NAME.match(name):
        raise ValueError(f"downstream topic name {name!r} must be lower-case letters, digits, '.', '_' or '-'")
    return name


def downstream_topic(target: str) -> TopicSpec:
    """The topic a ``topic:<name>`` posting target produces to: ``postings.out.<name>``.

    Compacted and keyed by idempotency key: a consumer that starts late still reads every posting,
    and a posting produced twice (a retry after a lost acknowledgement) is kept once.
    """
    name = downstream_name(target)
    return TopicSpec(f"{DOWNSTREAM_TOPIC_PREFIX}{name}",
                     f"postings for downstream consumer {name!r} (PostingRequested, key = idempotency key)",
                     compacted=True)


def downstream_targets(posting_targets: str) -> list[str]:
    """The ``topic:<name>`` targets among comma-separated ``posting_targets`` (``name=mapping`` allowed)."""
    names = (part.split("=", 1)[0].strip() for part in posting_targets.split(","))
    return [name for name in names if name.startswith(DOWNSTREAM_TARGET_PREFIX)]


def topics_for(posting_targets: str) -> tuple[TopicSpec, ...]:
    """Every topic a deployment with these posting targets needs: :data:`ALL_TOPICS` and one
    ``postings.out.<name>`` per downstream target."""
    return ALL_TOPICS + tuple(downstream_topic(target) for target in downstream_targets(posting_targets))


def create_topics(bootstrap: str, specs: Iterable[TopicSpec], *, prefix: str = "", partitions: int = 4,
                  replication_factor: int = 1, timeout: float = 30.0) -> dict[str, str]:
    """Create the topics that do not exist yet; return ``{physical name: "created" | "exists"}``.

    Safe to run any number of times. Raises RuntimeError with the broker's reason for any other
    failure.
    """
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(admin.list_topics(timeout=timeout).topics)
    outcome: dict[str, str] = {}
    new_topics = []
    for spec in specs:
        physical = f"{prefix}{spec.name}"
        if physical in existing:
            outcome[physical] = "exists"
            continue
        new_topics.append(NewTopic(physical, num_partitions=spec.partitions or partitions,
                                   replication_factor=replication_factor, config=spec.kafka_config()))
    if new_topics:
        for physical, future in admin.create_topics(new_topics, operation_timeout=timeout).items():
            try:
                future.result(timeout=timeout)
                outcome[physical] = "created"
            except KafkaException as error:
                if error.args and error.args[0].code() == error.args[0].TOPIC_ALREADY_EXISTS:
                    outcome[physical] = "exists"
                else:
                    raise RuntimeError(f"could not create topic {physical}: {error}") from error
    return outcome
