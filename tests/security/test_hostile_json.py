"""Hostile JSON bodies through the API's request parsing (comptoir/api/body.py): the work is
linear in the body's size, whatever its shape, and each shape gets its JSON error or passes.

Sizes are chosen so that the larger input of each pair stays within a raised upload limit:
the point is the parser's growth, not the limit (tested in test_api_errors.py).
"""

from collections.abc import Callable

import pytest
from django.test import RequestFactory

from comptoir.api.body import MAX_DEPTH, read_json, too_deep
from comptoir.api.errors import ApiError
from tests.security.timing import assert_linear


def parse(body: object) -> object:
    """read_json on a POST carrying `body`: the parsed object, or the ApiError's status."""
    assert isinstance(body, bytes)
    request = RequestFactory().post("/api/v1/tickets/1/notes", body, "application/json")
    try:
        return read_json(request)
    except ApiError as refused:
        return refused.status


def deep(n: int) -> bytes:
    return b'{"answers": ' + b"[" * n + b"]" * n + b"}"


def deep_unbalanced(n: int) -> bytes:
    return b'{"answers": ' + b"[" * n + b"}"


def flat_list(n: int) -> bytes:
    return b'{"text": "x", "cc": [' + b",".join([b'"a@b.test"'] * n) + b"]}"


def wide_shallow(n: int) -> bytes:
    """Many small arrays side by side: each pass of the depth check sees all of them."""
    return b'{"answers": [' + b",".join([b"[[[]]]"] * n) + b"]}"


def escaped_string(n: int) -> bytes:
    return b'{"text": "' + b'\\"' * n + b'"}'


def unterminated_string(n: int) -> bytes:
    return b'{"text": "' + b'a\\"' * n


def trailing_backslash(n: int) -> bytes:
    return b'{"text": "' + b'a\\"' * n + b"\\"


def many_keys(n: int) -> bytes:
    return b'{"answers": {' + b",".join(b'"k%d": "v"' % i for i in range(n)) + b"}}"


SHAPES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "deeply nested": (deep, 100_000),
    "deeply nested, unbalanced": (deep_unbalanced, 100_000),
    "a long flat list": (flat_list, 20_000),
    "many shallow arrays": (wide_shallow, 20_000),
    "a string of escapes": (escaped_string, 100_000),
    "an unterminated string": (unterminated_string, 100_000),
    "an unterminated string ending in a backslash": (trailing_backslash, 100_000),
    "many keys": (many_keys, 20_000),
}


@pytest.fixture(autouse=True)
def large_bodies(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 * 1024


@pytest.mark.parametrize("shape", list(SHAPES))
def test_parsing_a_hostile_body_is_linear(shape: str) -> None:
    make, n = SHAPES[shape]
    assert_linear(parse, make, n)


def test_each_hostile_shape_gets_its_answer() -> None:
    assert parse(deep(MAX_DEPTH + 1)) == 400
    assert parse(deep(100_000)) == 400
    assert parse(deep_unbalanced(100_000)) == 400
    assert parse(unterminated_string(1_000)) == 400
    assert parse(trailing_backslash(1_000)) == 400
    assert isinstance(parse(deep(MAX_DEPTH - 1)), dict)
    assert isinstance(parse(flat_list(1_000)), dict)
    assert isinstance(parse(wide_shallow(1_000)), dict)
    assert parse(escaped_string(1_000)) == {"text": '"' * 1_000}


def test_the_depth_check_counts_levels_not_brackets_in_strings() -> None:
    assert not too_deep('{"a": "' + "[" * 1_000 + '"}')
    assert not too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert too_deep("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not too_deep('{"a": "\\"[[["}')
