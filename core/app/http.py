"""What every HTTP route shares: JSON errors, bodies read in bounded chunks, ids and paging that cannot overflow.

A malformed request is answered 4xx before anything reaches the database: a body over the limit stops being
read at the limit (413), path ids are db.ids' valid ids, ASCII digits from 1 to 2^63-1 (else 404), paging numbers are bounded
(else 422), and JSON must be storable (db.json_input: bounded depth, no NUL, no lone surrogates).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from db.ids import as_id
from db.json_input import UnstorableJSON, loads_storable

MAX_API_BODY_BYTES = 256_000
MAX_OFFSET = 10**9


class ApiError(Exception):
    """An error answered as JSON with its HTTP status."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, read chunk by chunk; 413 as soon as it passes `limit` (never buffered whole first)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def path_id(request: Request, name: str, what: str) -> int:
    """The path parameter `name` as an id; 404 for anything that is not one (a unicode digit, 20 digits, 0)."""
    raw = request.path_params[name]
    number = as_id(raw)
    if number is None:
        raise ApiError(404, f"{what} {raw[:40]!r} not found")
    return number


def query_int(request: Request, name: str, default: int, *, low: int, high: int) -> int:
    """A bounded integer query parameter; 422 naming the parameter and its range otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"-?[0-9]{1,12}", raw) or not low <= int(raw) <= high:
        raise ApiError(422, f"{name} must be an integer from {low} to {high}")
    return int(raw)


async def json_body(request: Request, model: type[BaseModel]) -> Any:
    """The body validated by `model`; 413 when too large, 422 when not storable JSON or not the model."""
    raw = await read_body(request, MAX_API_BODY_BYTES)
    try:
        data = loads_storable(raw) if raw.strip() else {}
    except UnstorableJSON as exc:
        raise ApiError(422, str(exc)) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise ApiError(422, "the body is malformed", details=details) from None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def ok(body: Any, status: int = 200) -> JSONResponse:
    """A JSON answer; datetimes as ISO 8601."""
    return JSONResponse(json.loads(json.dumps(body, default=_json_default)), status_code=status)


def error_response(http_status: int, message: str, **extra: Any) -> JSONResponse:
    """A JSON error: {"error": message, ...extra}."""
    return JSONResponse({"error": message, **extra}, status_code=http_status)
