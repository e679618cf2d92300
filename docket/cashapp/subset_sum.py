"""Bounded search for combinations of open items that add up to a payment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SubsetResult:
    """Up to ``limit`` solutions (index tuples into the input), and whether the search finished.

    ``exhausted`` False means the step budget ran out: more solutions may exist, so a single
    solution found is not proof that it is the only one.
    """

    solutions: list[tuple[int, ...]]
    exhausted: bool


def find_subsets(amounts: Sequence[Decimal], target: Decimal, *, tolerance: Decimal = Decimal("0.005"),
                 max_items: int = 6, max_steps: int = 20_000, limit: int = 2) -> SubsetResult:
    """Smallest combinations (2..``max_items`` items) of positive ``amounts`` summing to ``target``.

    Sizes are tried in increasing order and the search stops at the first size with a solution:
    with many items, coincidental larger combinations hitting the same cent are common, and the
    fewest invoices is what a payer most likely meant. Within a size, depth-first over amounts
    sorted large to small, pruning branches that overshoot or cannot reach the target. Stops after
    ``limit`` solutions (two prove ambiguity) or ``max_steps`` visited nodes in all.
    """
    order = sorted((i for i, a in enumerate(amounts) if a > 0), key=lambda i: amounts[i], reverse=True)
    # integers in ten-thousandths: the search adds millions of times, Decimal is slow at that
    values = [_units(amounts[i]) for i in order]
    budget = [max_steps]
    for size in range(2, min(max_items, len(values)) + 1):
        found = _search_size(values, _units(target), _units(tolerance), size, limit, budget)
        solutions = [tuple(sorted(order[k] for k in combo)) for combo in found]
        if solutions or budget[0] <= 0:
            return SubsetResult(solutions, exhausted=budget[0] > 0 and len(solutions) < limit)
    return SubsetResult([], exhausted=True)


def _units(value: Decimal) -> int:
    return int(value.scaleb(4).to_integral_value())


def _search_size(values: list[int], target: int, tolerance: int, size: int, limit: int,
                 budget: list[int]) -> list[tuple[int, ...]]:
    """Combinations of exactly ``size`` of ``values`` (sorted descending) hitting ``target``."""
    found: list[tuple[int, ...]] = []
    stack: list[tuple[int, int, tuple[int, ...]]] = [(0, 0, ())]
    while stack:
        start, total, chosen = stack.pop()
        budget[0] -= 1
        if budget[0] <= 0:
            return found
        remaining = size - len(chosen)
        if remaining == 0:
            if abs(total - target) <= tolerance:
                found.append(chosen)
                if len(found) >= limit:
                    return found
            continue
        if len(values) - start < remaining:
            continue
        # the largest sum still reachable uses the next `remaining` values (sorted descending)
        if total + sum(values[start:start + remaining]) < target - tolerance:
            continue
        for k in range(len(values) - remaining, start - 1, -1):
            if total + values[k] <= target + tolerance:
                stack.append((k + 1, total + values[k], (*chosen, k)))
    return found
