"""Waiting for an absent broker before the worker starts, and saying so on the health endpoint.

Faust's consumer and producer give up at start when no broker answers (aiokafka "Unable to
bootstrap") and the worker exits. :func:`wait_for_broker` runs first: it asks the broker for
cluster metadata with exponential backoff (tenacity), logs ``waiting_for_broker`` before each
pause, and meanwhile answers every GET on the worker's web port with ``503`` and
``{"status": "waiting_for_broker", ...}``, so an orchestrator sees why the worker is not ready.
Once the broker answers, the port is released for the worker's own web server, whose
``/health`` answers ``200 {"status": "ok"}`` (streams/app.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import structlog
import tenacity

from streams.settings import Settings

log = structlog.get_logger(__name__)

WAITING_FOR_BROKER = "waiting_for_broker"

Probe = Callable[[str, float], bool]


def broker_answers(bootstrap: str, timeout: float = 5.0) -> bool:
    """True when a broker at ``bootstrap`` returns cluster metadata with at least one broker."""
    from confluent_kafka.admin import AdminClient

    try:
        # log_level 0: librdkafka's "connection refused" lines are what is being waited out.
        metadata = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0}).list_topics(timeout=timeout)
    except Exception:  # any failure means "not there yet"
        return False
    return bool(metadata.brokers)


class WaitingHealth:
    """A minimal HTTP server on ``host:port`` answering every GET with 503 and ``body`` (JSON).

    Used only while the worker has not started; a port that cannot be bound is logged and the
    wait goes on without it (the wait matters more than the report).
    """

    def __init__(self, host: str, port: int, body: dict[str, Any]) -> None:
        self.host, self.port = host, port
        self.body = json.dumps(body).encode()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> WaitingHealth:
        payload = self.body

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the name http.server dispatches to
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Retry-After", "5")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # the base class names it so
                return  # polled every few seconds: not worth a log line each

        try:
            self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        except OSError as error:
            log.warning("health_endpoint_unavailable", host=self.host, port=self.port, reason=str(error))
            return self
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="waiting-health", daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def wait_for_broker(settings: Settings, *, probe: Probe = broker_answers, max_delay_s: float = 30.0,
                    sleep: Callable[[float], None] = time.sleep) -> int:
    """Return once the broker of ``settings`` answers; the number of probes it took.

    Backoff 0.5 s doubling up to ``max_delay_s``; waits as long as it takes (an orchestrator that
    wants a bound stops the process). The health endpoint reports the wait meanwhile.
    """
    bootstrap = settings.bootstrap_servers
    probes = 1
    if probe(bootstrap, 5.0):
        return probes

    def report(state: tenacity.RetryCallState) -> None:
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(WAITING_FOR_BROKER, bootstrap=bootstrap, probes=probes, retry_in_s=round(delay, 1))


    def probe_again() -> bool:
        nonlocal probes
        probes += 1
        return probe(bootstrap, 5.0)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_result(lambda answered: not answered),
        wait=tenacity.wait_exponential(multiplier=0.5, max=max_delay_s),
        before_sleep=report, sleep=sleep)
    log.warning(WAITING_FOR_BROKER, bootstrap=bootstrap, probes=probes, retry_in_s=0.0)
    with WaitingHealth(settings.web_host, settings.web_port, {"status": WAITING_FOR_BROKER, "bootstrap": bootstrap}):
        retrying(probe_again)
    log.info("broker_reachable", bootstrap=bootstrap, probes=probes)
    return probes
