"""docker-compose starts again whatever exits (a worker that died, a broker that crashed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def _services() -> dict[str, Any]:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert isinstance(services, dict)
    return services


def test_every_long_running_service_restarts_unless_stopped() -> None:
    services = _services()
    one_shot = {name for name, service in services.items() if service.get("command", [None])[-1:] == ["create"]}
    assert one_shot == {"topics"}
    for name, service in services.items():
        expected = "on-failure" if name in one_shot else "unless-stopped"
        assert service.get("restart") == expected, name


def test_the_worker_is_checked_on_its_health_endpoint() -> None:
    check = " ".join(_services()["worker"]["healthcheck"]["test"])
    assert "/health" in check
