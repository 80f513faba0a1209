"""Injected failures, for testing retries, reconciliation and "a timeout never buys twice".

A fault is armed for the next `times` requests whose method and path match, then
disarms itself. What it does is the combination of its fields:

* **error before processing** — `status` (>= 400) with optional `code`, `message` and
  `retry_after`: answered *instead of* processing the request, as Twilio documents its
  429/20429 and 503/20503 ("never processed and always safe to retry").
* **error after the commit** — `status` with `commit=True`: the request is processed
  and committed (a purchase happens), then the fault's error is answered anyway, like a
  gateway 500 in front of a purchase that went through.
* **raw body** — `body` (and `content_type`, default HTML) with `status`: that body is
  answered instead of Twilio's JSON, before processing or, with `commit=True`, after it
  (an HTML gateway page, or a 201 whose body is not JSON).
* **drop after the commit** — `drop_after_commit=True`: processed and committed, then
  the connection is closed without any HTTP answer (in-process: the client gets
  `httpx.RemoteProtocolError`).
* **delays** — `delay_before` holds the request back *before* processing it (to make
  two clients overlap); `delay_after_commit` processes and commits, then holds the
  answer back (a client with a shorter read timeout gives up although the purchase
  happened). Either combines with the kinds above, except that `delay_after_commit`
  needs the request processed (no error-before-processing).

`FaultInjector.add` (in-process) and `POST /__sandbox__/faults` (served) take the same
fields and apply the same validation (`parse_fault_spec` for JSON).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

from tui.sandbox.errors import DEFAULT_CODE_FOR_STATUS, TwilioApiError

# Methods a fault may name; "*" is any.
FAULT_METHODS = ("*", "GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS")
# Upper bounds keep a typo from hanging a test run for a day.
MAX_DELAY_SECONDS = 3600.0
MAX_TIMES = 1_000_000
DEFAULT_BODY_CONTENT_TYPE = "text/html; charset=utf-8"

# Every field a fault spec may carry (POST /__sandbox__/faults rejects others).
FAULT_FIELDS = (
    "method", "path_regex", "status", "code", "message", "retry_after", "commit",
    "drop_after_commit", "body", "content_type", "delay_before", "delay_after_commit",
    "times",
)  # fmt: skip


class FaultSpecError(ValueError):
    """A fault that cannot be armed; the message says which field and why."""


@dataclass
class Fault:
    method: str  # an HTTP method, or "*" for any
    path_regex: str  # searched (re.search) in the request path
    status: int | None = None
    code: int | None = None
    message: str | None = None
    retry_after: float | None = None
    commit: bool = False
    drop_after_commit: bool = False
    body: str | None = None
    content_type: str | None = None
    delay_before: float | None = None
    delay_after_commit: float | None = None
    times: int = 1  # how many more requests it hits

    @property
    def answers_before_processing(self) -> bool:
        """An error or raw answer given instead of processing the request."""
        return self.status is not None and not self.commit

    @property
    def kind(self) -> str:
        """A short name for the request log."""
        if self.drop_after_commit:
            return "drop_after_commit"
        if self.status is not None:
            where = "after_commit" if self.commit else "before_processing"
            return f"{'body' if self.body is not None else 'error'}_{where}"
        if self.delay_after_commit:
            return "delay_after_commit"
        return "delay_before"

    def applies_to(self, method: str, path: str) -> bool:
        return (self.method == "*" or self.method == method.upper()) and bool(
            re.search(self.path_regex, path)
        )

    def as_error(self) -> TwilioApiError:
        assert self.status is not None and self.body is None
        headers = {}
        if self.retry_after is not None:
            # Retry-After is whole seconds on the wire (RFC 9110 delay-seconds).
            headers["Retry-After"] = str(max(0, round(self.retry_after)))
        message = self.message or f"Injected fault: HTTP {self.status}"
        return TwilioApiError(self.status, self.code, message, headers)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def make_fault(
    method: str = "*",
    path_regex: str | None = None,
    *,
    status: int | None = None,
    code: int | None = None,
    message: str | None = None,
    retry_after: float | None = None,
    commit: bool = False,
    drop_after_commit: bool = False,
    body: str | None = None,
    content_type: str | None = None,
    delay_before: float | None = None,
    delay_after_commit: float | None = None,
    times: int = 1,
) -> Fault:
    """A validated Fault, or FaultSpecError saying what is wrong."""
    if not isinstance(method, str) or method.upper() not in FAULT_METHODS:
        raise FaultSpecError(f"method must be one of {', '.join(FAULT_METHODS)}, got {method!r}")
    if not isinstance(path_regex, str) or not path_regex:
        raise FaultSpecError("path_regex is required: a regular expression searched in the request path")
    try:
        re.compile(path_regex)  # fail now, not on the request that should have matched
    except re.error as problem:
        raise FaultSpecError(f"path_regex is not a valid regular expression: {problem}") from None
    _check_int("status", status, 200, 599)
    _check_int("code", code, 1, 99999)
    _check_int("times", times, 1, MAX_TIMES, required=True)
    for name, value in (
        ("retry_after", retry_after),
        ("delay_before", delay_before),
        ("delay_after_commit", delay_after_commit),
    ):
        _check_seconds(name, value)
    for name, flag in (("commit", commit), ("drop_after_commit", drop_after_commit)):
        if not isinstance(flag, bool):
            raise FaultSpecError(f"{name} must be true or false, got {flag!r}")
    for name, text in (("message", message), ("body", body), ("content_type", content_type)):
        if text is not None and not isinstance(text, str):
            raise FaultSpecError(f"{name} must be a string, got {text!r}")

    if status is None:
        unsettable: tuple[tuple[str, object], ...] = (
            ("code", code), ("message", message), ("retry_after", retry_after), ("body", body),
        )  # fmt: skip
        for name, given in unsettable:
            if given is not None:
                raise FaultSpecError(f"{name} needs a status")
        if commit:
            raise FaultSpecError("commit=true needs a status: the error answered after the commit")
        if not (drop_after_commit or delay_before or delay_after_commit):
            raise FaultSpecError(
                "a fault needs an effect: status, drop_after_commit, delay_before or delay_after_commit"
            )
    else:
        if drop_after_commit:
            raise FaultSpecError("drop_after_commit sends no answer: it cannot carry a status")
        if body is None:
            if status < 400:
                raise FaultSpecError(f"status {status} is not an error: give a body to answer it raw")
            if code is None:
                code = DEFAULT_CODE_FOR_STATUS.get(status)
        elif code is not None or message is not None:
            raise FaultSpecError("code and message belong to JSON errors: a raw body answers as given")
        if delay_after_commit is not None and not commit:
            raise FaultSpecError(
                "delay_after_commit needs the request processed: add commit=true, or use delay_before"
            )
    if content_type is not None and body is None:
        raise FaultSpecError("content_type needs a body")
    if content_type is not None and not re.fullmatch(r"[\x20-\x7e]+", content_type):
        raise FaultSpecError(f"content_type must be printable ASCII (an HTTP header), got {content_type!r}")
    if body is not None and content_type is None:
        content_type = DEFAULT_BODY_CONTENT_TYPE
    return Fault(
        method=method.upper(),
        path_regex=path_regex,
        status=status,
        code=code,
        message=message,
        retry_after=retry_after,
        commit=commit,
        drop_after_commit=drop_after_commit,
        body=body,
        content_type=content_type,
        delay_before=delay_before,
        delay_after_commit=delay_after_commit,
        times=times,
    )


def parse_fault_spec(spec: Any) -> Fault:
    """A Fault from the JSON object of `POST /__sandbox__/faults`: known fields only."""
    if not isinstance(spec, dict):
        raise FaultSpecError("the body must be a JSON object")
    unknown = sorted(set(spec) - set(FAULT_FIELDS))
    if unknown:
        raise FaultSpecError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(FAULT_FIELDS)}")
    # JSON null means "not given", as the Python keywords' None does.
    given = {name: value for name, value in spec.items() if value is not None}
    return make_fault(**given)


def _check_int(name: str, value: object, low: int, high: int, *, required: bool = False) -> None:
    if value is None and not required:
        return
    # bool is an int in Python, but `true` is not a status.
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise FaultSpecError(f"{name} must be from {low} to {high}, got {value}")


def _check_seconds(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FaultSpecError(f"{name} must be a number of seconds, got {value!r}")
    if not 0 <= value <= MAX_DELAY_SECONDS:
        raise FaultSpecError(f"{name} must be from 0 to {MAX_DELAY_SECONDS:g} seconds, got {value}")


class FaultInjector:
    """The faults armed on one Sandbox; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str = "*",
        path_regex: str | None = None,
        *,
        status: int | None = None,
        code: int | None = None,
        message: str | None = None,
        retry_after: float | None = None,
        commit: bool = False,
        drop_after_commit: bool = False,
        body: str | None = None,
        content_type: str | None = None,
        delay_before: float | None = None,
        delay_after_commit: float | None = None,
        times: int = 1,
    ) -> Fault:
        """Arm a fault for the next `times` requests matching `method` and `path_regex`.

        The keywords combine as the module docstring describes; `code` defaults to
        Twilio's code for the status (429 -> 20429). Raises FaultSpecError (a ValueError)
        for a fault that makes no sense.
        """
        fault = make_fault(
            method,
            path_regex,
            status=status,
            code=code,
            message=message,
            retry_after=retry_after,
            commit=commit,
            drop_after_commit=drop_after_commit,
            body=body,
            content_type=content_type,
            delay_before=delay_before,
            delay_after_commit=delay_after_commit,
            times=times,
        )
        self.arm(fault)
        return fault

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

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
