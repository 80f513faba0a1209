"""Injected failures, for testing retries and "a timeout never buys twice".

Two kinds:

* an **error fault** answers `status`/`code` *instead of* processing the request
  (Twilio's 429/20429 and 503/20503 are documented as "not processed");
* a **delay fault** lets the request be processed and committed, then holds the answer
  back for `delay_after_commit` seconds, so that a client with a shorter read timeout
  gives up although the purchase happened.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

from tui.sandbox.errors import DEFAULT_CODE_FOR_STATUS, TwilioApiError


@dataclass
class Fault:
    method: str  # an HTTP method, or "*" for any
    path_regex: str  # searched (re.search) in the request path
    status: int | None = None
    code: int | None = None
    message: str | None = None
    retry_after: float | None = None
    delay_after_commit: float | None = None
    times: int = 1  # how many more requests it hits

    def applies_to(self, method: str, path: str) -> bool:
        return (self.method == "*" or self.method == method.upper()) and bool(
            re.search(self.path_regex, path)
        )

    def as_error(self) -> TwilioApiError:
        assert self.status is not None and self.code is not None
        headers = {}
        if self.retry_after is not None:
            # Retry-After is whole seconds on the wire (RFC 9110 delay-seconds).
            headers["Retry-After"] = str(max(0, round(self.retry_after)))
        message = self.message or f"Injected fault: HTTP {self.status}"
        return TwilioApiError(self.status, self.code, message, headers)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """The faults armed on one Sandbox; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str,
        path_regex: str,
        *,
        status: int | None = None,
        code: int | None = None,
        message: str | None = None,
        retry_after: float | None = None,
        delay_after_commit: float | None = None,
        times: int = 1,
    ) -> Fault:
        """Arm a fault for the next `times` requests matching `method` and `path_regex`.

        Give either `status` (an error answered before processing; `code` defaults to
        Twilio's code for that status, e.g. 429 -> 20429) or `delay_after_commit`
        (seconds to hold back the answer of a processed request).
        """
        if (status is None) == (delay_after_commit is None):
            raise ValueError("give exactly one of status= or delay_after_commit=")
        if status is not None and code is None:
            code = DEFAULT_CODE_FOR_STATUS.get(status, status)
        if delay_after_commit is not None and delay_after_commit < 0:
            raise ValueError("delay_after_commit must be >= 0")
        if times < 1:
            raise ValueError("times must be >= 1")
        re.compile(path_regex)  # fail now, not on the request that should have matched
        fault = Fault(
            method=method.upper(),
            path_regex=path_regex,
            status=status,
            code=code,
            message=message,
            retry_after=retry_after,
            delay_after_commit=delay_after_commit,
            times=times,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first armed fault for this request, used up by one hit."""
        with self._lock:
            for fault in self._faults:
                if fault.applies_to(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def armed(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
