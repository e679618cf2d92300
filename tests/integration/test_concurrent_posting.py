"""Two posters at once against one real Tryton: sales orders and payments land exactly once.

Two sinks with their own sessions (as two workers, or a redelivery during a rebalance, would
have) post the same requests at the same moment, released together by a barrier. Whatever the
interleaving, Tryton ends up with one sale (and one customer invoice) per order and one posted
statement per payment; both posters answer with that one record. An answer of "target
unavailable" (the winner was still finishing) is retried, as the retry topic would, and must
then name the same record. Several rounds, so more than one interleaving is tried.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from connectors.base import PostingOutcome, TargetUnavailable
from connectors.tryton import TrytonClient
from connectors.tryton.payments import TrytonPaymentSink
from connectors.tryton.sales import TrytonSalesOrderSink
from docket.errors import DocketError
from docket.model import PostingRequested
from tests.contract.sales_harness import order_request
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.test_cashapp_tryton import _customer_invoices, _payment_posting
from tests.integration.test_tryton_sales import sales_for

ROUNDS = 3
Answer = TypeVar("Answer")


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-concurrent")) as server:
        yield server


@pytest.fixture
def clients(tryton: TrytonServer) -> Iterator[list[TrytonClient]]:
    made = [tryton.client(timeout=180.0) for _ in range(3)]  # two posters and a reader
    yield made
    for client in made:
        client.close()


def at_once(jobs: list[Callable[[], Answer]]) -> list[Answer | BaseException]:
    """Run ``jobs`` in threads released together; each one's return value or exception."""
    barrier = threading.Barrier(len(jobs))
    answers: list[Answer | BaseException | None] = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait()
        try:
            answers[index] = jobs[index]()
        except BaseException as error:  # reported to the test, which asserts on it
            answers[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answer for answer in answers if answer is not None]


def settled(answer: PostingOutcome | DocketError | BaseException, retry: Callable[[], PostingOutcome | DocketError]
            ) -> PostingOutcome:
    """The final outcome of one poster's answer: a transient failure is retried once."""
    if isinstance(answer, TargetUnavailable):
        answer = retry()
    assert isinstance(answer, PostingOutcome), f"expected an outcome, got {answer!r}"
    return answer


# Payments first: the customer invoices they pay are dated before those the sales make today.
def test_two_posters_of_the_same_payment_pay_the_invoice_once(clients: list[TrytonClient]) -> None:
    first, second, reader = clients
    posters = [TrytonPaymentSink(first), TrytonPaymentSink(second)]
    for _ in range(ROUNDS):
        (invoice,) = _customer_invoices(reader, [("C-2001", "120.00")])
        request: PostingRequested = _payment_posting([invoice], ["120.00"])
        answers = at_once([lambda sink=sink, request=request: sink.post(request) for sink in posters])
        outcomes = [settled(answer, lambda sink=sink, request=request: sink.post(request))
                    for sink, answer in zip(posters, answers, strict=True)]
        assert {outcome.status for outcome in outcomes} <= {"posted", "already_posted"}
        assert len({outcome.erp_id for outcome in outcomes}) == 1  # both name one statement
        lines = reader.search_read("account.statement.line",
                                   [("description", "like", f"%{request.idempotency_key} %")], ["statement"])
        statements = sorted({int(line["statement"]) for line in lines})
        assert statements == [int(str(outcomes[0].erp_id))]
        (row,) = reader.model("account.statement", "read", statements, ["state"])
        assert row["state"] == "posted"
        (paid,) = reader.model("account.invoice", "read", [invoice["id"]], ["state", "amount_to_pay", "payment_lines"])
        assert paid["state"] == "paid" and str(paid["amount_to_pay"]) == "0"
        assert len(paid["payment_lines"]) == 1  # one payment booked against it, not two


def test_two_posters_of_the_same_sales_orders_make_each_sale_and_its_invoice_once(clients: list[TrytonClient]
                                                                                  ) -> None:
    first, second, reader = clients
    posters = [TrytonSalesOrderSink(first), TrytonSalesOrderSink(second)]
    for _ in range(ROUNDS):
        orders = [order_request(uuid.uuid4().hex[:10]) for _ in range(3)]
        # The same order once more under another key (a resend with other bytes): found by party + number.
        resent = order_request(uuid.uuid4().hex[:10], number=orders[0].record.number if orders[0].record else None)
        batches = [orders, [*orders[1:], resent]]
        answers = at_once([lambda sink=sink, batch=batch: sink.post_batch(batch)
                           for sink, batch in zip(posters, batches, strict=True)])
        final: dict[str, set[str]] = {}
        for sink, batch, answer in zip(posters, batches, answers, strict=True):
            assert isinstance(answer, list), f"a poster failed as a whole: {answer!r}"
            for request, one in zip(batch, answer, strict=True):
                outcome = settled(one, lambda sink=sink, request=request: sink.post_batch([request])[0])
                number = request.record.number if request.record else ""
                final.setdefault(str(number), set()).add(str(outcome.erp_id))
        for request in orders:
            # By party and order number: the one sale may carry either key of the resent order.
            number = request.record.number if request.record else None
            sales = reader.search_read("sale.sale", [("reference", "=", number)], ["id", "state", "reference",
                                                                                  "invoices", "comment"])
            assert len(sales) == 1, f"order {number}: {sales}"
            sale = sales[0]
            keys = {line for line in sale["comment"].splitlines() if line.startswith("docket-key:")}
            assert len(keys) == 1
            assert final[sale["reference"]] == {str(sale["id"])}  # both posters name that one sale
            assert sale["state"] in ("confirmed", "processing", "done")
            assert len(sale["invoices"]) == 1
            (invoice,) = reader.model("account.invoice", "read", sale["invoices"], ["state"])
            assert invoice["state"] == "posted"
        assert len(sales_for(reader, orders[0]) + sales_for(reader, resent)) == 1  # the resend or the first
