"""Secrets never reach a log record, whichever logger or form carries them."""

from __future__ import annotations

import base64
import logging

import pytest

from tests.support.credentials import CANARY
from tui.domain.credentials import Secret
from tui.services.credentials.redact import (
    SecretRedactionFilter,
    redact,
    register_secret,
)


def text_of(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "".join(record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "logger_name", ["", "httpx", "twilio.http_client", "tui.services.twilio", "some.library"]
)
def test_a_registered_secret_is_masked_in_every_logger(redacting_caplog, logger_name: str) -> None:
    register_secret(Secret(CANARY))
    logger = logging.getLogger(logger_name)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("message %s", CANARY)
        logger.warning(f"inline {CANARY}")
        logger.error("dict %r", {"password": CANARY})
    finally:
        logger.setLevel(logging.NOTSET)
    assert CANARY not in text_of(redacting_caplog)
    assert text_of(redacting_caplog).count("********") >= 3


def test_a_secret_inside_an_exception_traceback_is_masked(redacting_caplog) -> None:
    register_secret(CANARY)
    try:
        raise RuntimeError(f"backend said {CANARY}")
    except RuntimeError:
        logging.getLogger("tui").exception("saving failed")
    assert "saving failed" in redacting_caplog.text
    assert "RuntimeError: backend said ********" in redacting_caplog.text
    assert CANARY not in redacting_caplog.text


def test_basic_authorization_and_url_credentials_are_masked_unregistered(redacting_caplog) -> None:
    header = base64.b64encode(b"ACabc:unregistered-token").decode()
    logging.getLogger("httpx").warning("headers: {'Authorization': 'Basic %s'}", header)
    logging.getLogger("tui").warning("GET https://ACabc:unregistered-token@api.twilio.com/x")
    assert header not in redacting_caplog.text
    assert "unregistered-token" not in redacting_caplog.text
    assert "Basic ********" in redacting_caplog.text
    assert "https://ACabc:********@api.twilio.com/x" in redacting_caplog.text


def test_a_secret_containing_another_is_masked_whole() -> None:
    register_secret("abcd")
    register_secret("abcdefgh")
    assert redact("x abcdefgh y abcd") == "x ******** y ********"


def test_the_filter_also_works_on_a_handler_of_its_own() -> None:
    register_secret(CANARY)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", (CANARY,), None)
    assert SecretRedactionFilter().filter(record) is True  # never drops a record
    assert record.getMessage() == "token=********"


def test_without_installation_nothing_is_changed(caplog: pytest.LogCaptureFixture) -> None:
    # Guards the tests above: they would pass vacuously if caplog never saw the canary.
    register_secret(CANARY)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("tui").warning("raw %s", CANARY)
    assert CANARY in caplog.text
