"""Keep secrets out of logs.

Every secret that enters the program (typed, read from the keyring or the
environment) is registered here; a logging filter then replaces it, and any
`Authorization: Basic …` value or `user:password@` in a URL, with `********` in
every record: its message, its arguments and its formatted traceback.

`install_log_redaction()` is called once at start by the app and the command line.
A filter on the root *logger* alone would only see records logged to the root
logger itself (Python applies logger filters before propagation, not to records
propagated from `httpx`, `twilio.http_client` and friends), and a filter on its
handlers would miss handlers added later. So the install function also wraps the
log record factory, which every record from every logger passes through.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Callable

from tui.domain.credentials import MASK, Secret

# Basic credentials as they appear in a header dump: "Authorization: Basic QUM…=".
_BASIC_AUTH = re.compile(r"(?i)\b(basic)(\s+)[A-Za-z0-9+/=_-]{4,}")
# "https://AC…:token@host/…" in a URL someone logs.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@")


class SecretRegistry:
    """The secrets to mask, registered as they enter the program."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def register(self, value: str) -> None:
        with self._lock:
            if value in self._values:
                return
            self._values.add(value)
            # Longest first, so that a secret containing another is masked whole.
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(item) for item in ordered))

    def mask(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern is not None else text


# The process's registry (tests give each test a fresh one).
REGISTRY = SecretRegistry()


def register_secret(secret: Secret | str | None) -> None:
    """Mask this value in every log record from now on."""
    value = secret.reveal() if isinstance(secret, Secret) else secret
    if value:
        REGISTRY.register(value)


def redact(text: str) -> str:
    text = REGISTRY.mask(text)
    text = _BASIC_AUTH.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)


class SecretRedactionFilter(logging.Filter):
    """Rewrites a record so that no registered secret or Basic credential is left
    in it. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_number_wizard_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: let logging report it as usual
        return
    clean = redact(message)
    if clean != message:
        # Freeze the message, or formatting the arguments again would bring it back.
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._number_wizard_redacted = True


_install_lock = threading.Lock()
_installed_factory: Callable[..., logging.LogRecord] | None = None
_FILTER = SecretRedactionFilter()


def install_log_redaction() -> None:
    """Redact every log record of this process. Safe to call more than once."""
    global _installed_factory
    with _install_lock:
        root = logging.getLogger()
        if _FILTER not in root.filters:
            root.addFilter(_FILTER)
        for handler in root.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
        current = logging.getLogRecordFactory()
        if current is _installed_factory:
            return
        previous = current

        def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redact_record(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
        _installed_factory = redacting_factory
        # twilio-python's client logs request headers at DEBUG; keep it quiet
        # unless someone asks for it on purpose.
        twilio_logger = logging.getLogger("twilio.http_client")
        if twilio_logger.level == logging.NOTSET:
            twilio_logger.setLevel(logging.WARNING)
