"""The worker's wait for an absent broker: backoff, and a health endpoint that says it waits."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

from infra.process import free_port
from streams.broker_wait import wait_for_broker
from streams.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(kafka_bootstrap="127.0.0.1:1", web_port=free_port(), state_dir=tmp_path)


def _health(port: int) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_it_backs_off_until_the_broker_answers_and_reports_the_wait(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    answers = [False, False, False, True]
    seen: list[tuple[int, dict[str, str]]] = []
    pauses: list[float] = []

    def probe(bootstrap: str, timeout: float) -> bool:
        assert bootstrap == "127.0.0.1:1"
        if len(answers) < 4:  # the first probe fails before the endpoint is up
            seen.append(_health(settings.web_port))
        return answers.pop(0)

    probes = wait_for_broker(settings, probe=probe, sleep=pauses.append, max_delay_s=1.0)

    assert probes == 4 and answers == []
    assert seen == [(503, {"status": "waiting_for_broker", "bootstrap": "127.0.0.1:1"})] * 3
    assert pauses == sorted(pauses) and pauses[0] > 0 and pauses[-1] <= 1.0
    # The port is released for the worker's own web server (aiohttp binds with SO_REUSEADDR).
    with socket.socket() as free:
        free.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        free.bind(("127.0.0.1", settings.web_port))
        free.listen()


def test_a_broker_that_answers_at_once_is_not_waited_for(tmp_path: Path) -> None:
    pauses: list[float] = []
    assert wait_for_broker(_settings(tmp_path), probe=lambda b, t: True, sleep=pauses.append) == 1
    assert pauses == []
