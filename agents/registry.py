"""Which agent modules a worker loads (importing a module attaches its agents to the app)."""

from __future__ import annotations

import importlib

AGENT_MODULES: tuple[str, ...] = ("agents.capture", "agents.post", "agents.audit")


def load_agents(modules: tuple[str, ...] = AGENT_MODULES) -> None:
    for module in modules:
        importlib.import_module(module)
