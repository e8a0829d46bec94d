"""
The peers the pipeline is held against, run beside it: the sequential script (:mod:`bench.sequential`) and the
concurrent one (:mod:`bench.concurrent`), each in a thread of its own, on the same sandbox at the same time as the
pipeline, for the same batch sizes (numbers of their own, failures seeded as for the pipeline).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from bench.airflow import SandboxAdmin
from bench.common import log, median, numbers, order_failures
from bench.concurrent import ConcurrentImport
from bench.sequential import SequentialImport


class Script(Protocol):
    def __init__(
        self, base_url: str, numbers: list[str], *, chunk_size: int, poll_interval: float, prefix: str
    ) -> None: ...

    def run(self) -> dict[str, Any]: ...


#: name → (script, first area code of its numbers, prefix of its CustomerOrderIds)
SCRIPTS: dict[str, tuple[type[Script], int, str]] = {
    "sequential": (SequentialImport, 400, "seq"),
    "concurrent": (ConcurrentImport, 450, "con"),
}


class ScriptRuns(threading.Thread):
    """One script for every batch size in turn (the largest ``repeat_largest`` times: the median is kept)."""

    def __init__(
        self,
        name: str,
        sandbox_url: str,
        admin: SandboxAdmin,
        sizes: list[int],
        chunk_size: int,
        poll_interval: float,
        repeat_largest: int = 1,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.script, self.npa, self.prefix = SCRIPTS[name]
        self.sandbox_url, self.admin, self.sizes = sandbox_url, admin, sizes
        self.chunk_size, self.poll_interval = chunk_size, poll_interval
        self.repeat_largest = max(1, repeat_largest)
        self.results: dict[int, Any] = {}

    def _once(self, size: int, npa: int) -> dict[str, Any]:
        batch = numbers(npa, size)
        self.admin.seed({"order_failures": order_failures(batch, self.chunk_size)})
        log(f"{self.name} script: {size} numbers")
        result = self.script(
            f"{self.sandbox_url}/api",
            batch,
            chunk_size=self.chunk_size,
            poll_interval=self.poll_interval,
            prefix=f"{self.prefix}{size}-{npa}",
        ).run()
        log(f"{self.name} script: {size} numbers in {result['wall_seconds']}s")
        return result

    def run(self) -> None:
        npa = self.npa
        for i, size in enumerate(self.sizes):
            repeats = self.repeat_largest if i == len(self.sizes) - 1 else 1
            try:
                results = []
                for _ in range(repeats):
                    results.append(self._once(size, npa))
                    npa += 1
                walls = [r["wall_seconds"] for r in results]
                kept = sorted(results, key=lambda r: r["wall_seconds"])[len(results) // 2]
                self.results[size] = {**kept, "wall_seconds_each": walls, "wall_seconds_median": median(walls)}
            except Exception as err:
                self.results[size] = {"error": f"{type(err).__name__}: {err}"}

    def total_seconds(self) -> float:
        return round(sum(sum(r.get("wall_seconds_each", [])) for r in self.results.values()), 1)
