"""Reading a request's JSON body: bounded, linear, and refused with words when it is not
something the core can use (docs/api.md, "Errors and limits").

- over DATA_UPLOAD_MAX_MEMORY_SIZE: 413;
- not UTF-8, not JSON, not an object: 400;
- nested deeper than MAX_DEPTH: 400, found before parsing, since Python's parser recurses and
  a body of 100,000 "[" would exhaust its stack (a RecursionError, so a 500);
- a string holding NUL or a lone surrogate, as a key or a value anywhere: 400 naming the field.
"""

import json
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _

from comptoir.api.errors import ApiError
from comptoir.lib.storable import unstorable_reason

# No request of this API nests more than 3 levels; 32 leaves room and stays far from the
# parser's recursion limit (about 1,000).
MAX_DEPTH = 32
# A JSON string, up to its closing quote or the end of the text: it never fails to match
# once started, so an unterminated string cannot make the scan retry from each later quote
# (which is quadratic); possessive, so that it never backtracks either.
STRING = re.compile(r'"(?:[^"\\]++|\\.|\\\Z)*+(?:"|\Z)', re.DOTALL)
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
INNERMOST = re.compile(r"\[\]|\{\}")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests more than `limit` arrays and objects. Linear: strings are
    dropped, then the brackets' innermost pairs are removed `limit` times at most; what is
    left then is deeper than `limit`. When a pass removes nothing, the brackets do not pair
    up: not JSON, which the parser says (its recursion stops at its own limit)."""
    brackets = NOT_BRACKET.sub("", STRING.sub("", text))
    for _level in range(limit):
        if not brackets:
            return False
        brackets, removed = INNERMOST.subn("", brackets)
        if not removed:
            return False
    return bool(brackets)


def first_unstorable(value: Any, field: str) -> tuple[str, str] | None:
    """(field, reason) of the first key or string that cannot be stored, or None. The
    recursion is bounded by MAX_DEPTH, checked before."""
    if isinstance(value, str):
        reason = unstorable_reason(value)
        return (field, reason) if reason else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            reason = unstorable_reason(key)
            if reason:
                return field, reason
            items.append((field, item))
    elif isinstance(value, list):
        items = [(field, item) for item in value]
    for name, item in items:
        found = first_unstorable(item, name)
        if found is not None:
            return found
    return None


def request_text(request: HttpRequest) -> str:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(413, _("The request body is too large.")) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, _("The request body is not valid UTF-8.")) from None


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object (an empty body counts as {})."""
    text = request_text(request)
    if not text.strip():
        return {}
    if too_deep(text):
        text = _("The request body is nested too deeply (at most %(depth)d levels).")
        raise ApiError(400, text % {"depth": MAX_DEPTH})
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ApiError(400, _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, _("The request body must be a JSON object."))
    for key, value in data.items():
        found = first_unstorable(value, key) or first_unstorable(key, "body")
        if found is not None:
            raise ApiError(400, _("The request is not valid."), {found[0]: found[1]})
    return data
