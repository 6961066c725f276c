"""A bounded, thread-safe memo: what the answerer remembers between questions."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``size`` values by key, the least recently used dropped first.

    Safe to share between threads: the table is changed under a lock, and a value is made
    outside it (two threads may both make one for a new key; the first kept wins), so a
    slow ``make`` never holds up the others."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
        made = make()
        with self._lock:
            kept = self._data.setdefault(key, made)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
            return kept

    def __len__(self) -> int:
        return len(self._data)
