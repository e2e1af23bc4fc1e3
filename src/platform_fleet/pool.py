"""A bounded, order-keeping parallel map: at most twice `workers` items are in flight, so
memory stays flat however many repositories the inventory lists."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def bounded_map(
    work: Callable[[Item], Result], items: Iterable[Item], workers: int
) -> Iterator[Result]:
    """`work(item)` for each item, in the items' order, on `workers` threads."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fleet") as pool:
        in_flight: deque[Future[Result]] = deque()
        for item in items:
            in_flight.append(pool.submit(work, item))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
