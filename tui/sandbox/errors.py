"""Twilio error codes the sandbox answers with, and the error body they travel in.

Codes and meanings come from Twilio's error catalogue as summarised in
docs/twilio-api.md#errors. The catalogue gives no HTTP status per code; where the
docs record none, the sandbox answers 400 like the purchase validation errors Twilio
is observed to send.
"""

from __future__ import annotations

import json

MORE_INFO_URL = "https://www.twilio.com/docs/errors/{code}"

AUTHENTICATE = 20003
METHOD_NOT_ALLOWED = 20004
PAGE_SIZE_TOO_LARGE = 20007
TEST_CREDENTIALS_FORBIDDEN = 20008
NOT_FOUND = 20404
TOO_MANY_REQUESTS = 20429
INTERNAL_SERVER_ERROR = 20500
SERVICE_UNAVAILABLE = 20503
INVALID_URL = 21402
INVALID_METHOD = 21403
TRIAL_NUMBER_LIMIT = 21404
SMS_FALLBACK_WITHOUT_SMS_URL = 21406
PHONE_NUMBER_INVALID = 21421
PHONE_NUMBER_NOT_AVAILABLE = 21422
INVALID_AREA_CODE = 21451
NO_NUMBERS_IN_AREA_CODE = 21452
LOCAL_ADDRESS_REQUIRED = 21615
ADDRESS_NOT_VALIDATED = 21628
ADDRESS_SUGGESTED = 21629
ADDRESS_REQUIRED = 21631
BUNDLE_REQUIRED = 21649
# Messaging Services (https://www.twilio.com/docs/errors/21710, /21712, /21715).
ALREADY_IN_MESSAGING_SERVICE = 21710
IN_ANOTHER_MESSAGING_SERVICE = 21712
NO_MESSAGING_CAPABILITY = 21715
# Twilio documents no single code for "this parameter's value is malformed" on v2010;
# 80701 "Parameter Validation Failed" has the message shape we use:
# "'<parameter name>' is invalid. <why>".
PARAMETER_INVALID = 80701

# The code a status-only fault carries when the caller names none.
DEFAULT_CODE_FOR_STATUS = {
    401: AUTHENTICATE,
    403: TEST_CREDENTIALS_FORBIDDEN,
    404: NOT_FOUND,
    429: TOO_MANY_REQUESTS,
    500: INTERNAL_SERVER_ERROR,
    503: SERVICE_UNAVAILABLE,
}


class TwilioApiError(Exception):
    """An error answer in Twilio's shape: HTTP status plus `{code, message, more_info, status}`."""

    def __init__(
        self, status: int, code: int | None, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}/{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        # `code` and `more_info` only "when available" (https://www.twilio.com/docs/api/errors/400):
        # an answer about the HTTP request itself (413, 414, ...) has no Twilio code.
        if self.code is None:
            return {"message": self.message, "status": self.status}
        return {
            "code": self.code,
            "message": self.message,
            "more_info": MORE_INFO_URL.format(code=self.code),
            "status": self.status,
        }

    def body_bytes(self) -> bytes:
        return json.dumps(self.body()).encode()


def http_error(status: int, message: str, code: int | None = None) -> TwilioApiError:
    """An answer about the HTTP request itself (malformed, too large, wrong method)."""
    return TwilioApiError(status, code, message)


def not_found(path: str) -> TwilioApiError:
    # Twilio's own wording, seen for US/Mobile.json in twilio-node#159.
    return TwilioApiError(404, NOT_FOUND, f"The requested resource {path} was not found")


def authenticate() -> TwilioApiError:
    return TwilioApiError(401, AUTHENTICATE, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})


def invalid_parameter(name: str, why: str) -> TwilioApiError:
    return TwilioApiError(400, PARAMETER_INVALID, f"'{name}' is invalid. {why}")
