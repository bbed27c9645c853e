"""A usage endpoint that accepts one call per window per token, as the real one does (2026), in
the three manners seen: with ``Retry-After`` giving the seconds left, with no ``Retry-After``,
and with no ``Retry-After`` where a refused call restarts the window."""

from __future__ import annotations

import math
import threading
import time
from typing import Literal

from apiserver import Reply, Request, usage_body

Manner = Literal["retry_after", "silent", "restart"]
REFUSED = {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limited. Please try again later."}}


class OneCallPerWindow:
    def __init__(self, window: float, manner: Manner) -> None:
        self.window, self.manner = window, manner
        self.open_at = 0.0  # when the next call will be accepted
        self.accepted: list[float] = []
        self.refused: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Reply:
        with self._lock:
            now = time.time()
            if now >= self.open_at:
                self.accepted.append(now)
                self.open_at = now + self.window
                # utilization counts the accepted calls, so a reading tells which call it came from
                return Reply(200, usage_body(five=float(len(self.accepted)), seven=10.0))
            self.refused.append(now)
            headers = {}
            if self.manner == "retry_after":
                headers["Retry-After"] = str(math.ceil(self.open_at - now))
            elif self.manner == "restart":
                self.open_at = now + self.window
            return Reply(429, REFUSED, headers)
