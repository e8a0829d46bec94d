"""
The callback watch: one per trigger runner (one per event loop), shared by every order wait in it.

Each waiting :class:`~bandwidth_hosted_messaging.triggers.order.TnOrderTrigger` registers its order and gets an
:class:`asyncio.Event`. While at least one wait is registered, the watch reads the wake-up ring of each order
asset that has waits (:mod:`.wake_ring`), once per ``[bandwidth] callback_check_interval`` seconds, through the
Task SDK's asset state store (the trigger runner's supervisor does the database read). So a triggerer holding
10,000 waits makes one or two small reads a second, not 10,000, and holds no connection of its own.

- A wait registered with ``since`` (when its sensor last read the order) is first checked against the whole
  ring: a callback recorded after ``since`` wakes it at once. That covers a callback that arrived before the
  trigger started, and a triggerer restarted during the wait. If the ring was trimmed past ``since``, the wait
  is woken anyway: it reads its order once, and the order is the truth.
- After that, each newly appended entry wakes the wait on its order; entries for orders nobody here waits on
  are ignored. When entries were missed (the ring overflowed between two reads), every wait of that kind wakes.
- A failed read is logged (once until reads work again) and retried at the next interval; the waits go on,
  with their safety poll.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from bandwidth_hosted_messaging.assets import ORDER_KIND_ASSETS
from bandwidth_hosted_messaging.statuses import OrderKind
from bandwidth_hosted_messaging.triggers.wake_ring import RING_KEY, Ring, Wakeup, wakes

log = logging.getLogger(__name__)

#: Clocks of the API server and the worker may differ a little: a callback this close before ``since`` counts.
CLOCK_SLACK_SECONDS = 5.0


@dataclass
class _Wait:
    event: asyncio.Event
    since: float | None
    checked: bool = False


@dataclass
class _Kind:
    waits: dict[str, _Wait] = field(default_factory=dict)
    cursor: int | None = None


def in_triggerer() -> bool:
    """
    Whether this trigger runs in a triggerer's trigger runner, whose channel to its supervisor is asynchronous;
    ``dag.test()`` runs a trigger inline in the task process, whose in-process channel is synchronous.
    """
    from airflow.sdk.execution_time import task_runner

    return hasattr(getattr(task_runner, "SUPERVISOR_COMMS", None), "asend")


async def read_ring(asset_name: str) -> Any:
    """The ring's stored value, through the SDK's asset state store (``None`` when there is none yet)."""
    from airflow.sdk.execution_time.context import AssetStateStoreAccessor

    store = AssetStateStoreAccessor(name=asset_name)
    if in_triggerer():
        return await store.aget(RING_KEY)
    # ``dag.test()`` runs a trigger inline in the task process, whose in-process comms are synchronous.
    return store.get(RING_KEY)


class CallbackWatch:
    """Wake the waits of one event loop when the callback receiver records their order's final status."""

    def __init__(self, interval: float) -> None:
        self.interval = max(0.1, float(interval))
        self._kinds: dict[OrderKind, _Kind] = {kind: _Kind() for kind in OrderKind}
        self._task: asyncio.Task[None] | None = None
        self._failing = False
        self.reads = 0

    # -- used by the triggers ------------------------------------------------------------------------------

    def watch(self, kind: OrderKind, order_id: str, since: float | None) -> asyncio.Event:
        """Register a wait; the returned event is set whenever a callback suggests reading the order."""
        wait = self._kinds[kind].waits.get(order_id)
        if wait is None:
            wait = self._kinds[kind].waits[order_id] = _Wait(asyncio.Event(), since)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="bandwidth-callback-watch")
        return wait.event

    def forget(self, kind: OrderKind, order_id: str) -> None:
        self._kinds[kind].waits.pop(order_id, None)

    @property
    def waiting(self) -> int:
        return sum(len(k.waits) for k in self._kinds.values())

    # -- the loop ------------------------------------------------------------------------------------------

    async def _run(self) -> None:
        while self.waiting:
            for kind, state in self._kinds.items():
                if state.waits:
                    await self._check(kind, state)
            await asyncio.sleep(self.interval)

    async def _check(self, kind: OrderKind, state: _Kind) -> None:
        try:
            ring = Ring.parse(await read_ring(ORDER_KIND_ASSETS[kind].name))
        except Exception as err:
            if not self._failing:
                log.warning("Bandwidth callback watch: cannot read the wake-up ring (%s); polling goes on", err)
                self._failing = True
            return
        self.reads += 1
        if self._failing:
            log.info("Bandwidth callback watch: reading the wake-up ring again")
            self._failing = False
        if state.cursor is not None:
            newer, complete = ring.after(state.cursor)
            if not complete:
                log.info("Bandwidth callback watch: callbacks were missed; every %s wait reads its order", kind.value)
                for wait in state.waits.values():
                    wait.event.set()
            for wakeup in newer:
                self._wake(state, wakeup)
        for order_id, wait in state.waits.items():
            if not wait.checked:
                wait.checked = True
                self._check_new(order_id, wait, ring)
        state.cursor = ring.seq

    @staticmethod
    def _wake(state: _Kind, wakeup: Wakeup) -> None:
        wait = state.waits.get(wakeup.order_id)
        if wait is not None and wakes(wakeup.status):
            wait.event.set()

    @staticmethod
    def _check_new(order_id: str, wait: _Wait, ring: Ring) -> None:
        """A wait's first check: any callback since its sensor read the order, or a ring that forgot that far."""
        if wait.since is None:
            return
        since = wait.since - CLOCK_SLACK_SECONDS
        if not ring.covers(since):
            wait.event.set()
            return
        if any(w.order_id == order_id and w.at >= since and wakes(w.status) for w in ring.recent):
            wait.event.set()


_WATCHES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CallbackWatch] = weakref.WeakKeyDictionary()


def watch_for_running_loop(interval: float) -> CallbackWatch:
    """The running event loop's watch (created on first use)."""
    loop = asyncio.get_running_loop()
    watch = _WATCHES.get(loop)
    if watch is None:
        watch = _WATCHES[loop] = CallbackWatch(interval)
    return watch
