"""Which agent modules a worker loads (importing a module attaches its agents to the app)."""

from __future__ import annotations

import importlib

AGENT_MODULES: tuple[str, ...] = (
    "agents.masterdata", "agents.capture", "agents.enrich", "agents.route", "agents.post", "agents.audit",
    "agents.cashapp", "agents.erp_sync", "agents.review",
    "agents.customer_mail",
)


def load_agents(modules: tuple[str, ...] = AGENT_MODULES) -> None:
    for module in modules:
        importlib.import_module(module)
