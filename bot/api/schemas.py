"""What every JSON API of the service shares: the error bodies, and a base model whose
optional fields are documented as nullable and whose times say they are UTC."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, List

from pydantic import BaseModel, validator


def _nullable_optionals(schema: dict[str, Any], model: type[BaseModel]) -> None:
    # pydantic 1 documents `str | None` as a plain string; the service does send nulls.
    properties = schema.get("properties", {})
    for field in model.__fields__.values():
        prop = properties.get(field.alias)
        if not field.allow_none or prop is None or "anyOf" in prop:
            continue
        outer = {key: prop.pop(key) for key in ("title", "description") if key in prop}
        properties[field.alias] = {**outer, "anyOf": [prop, {"type": "null"}]}


class ApiModel(BaseModel):
    class Config:
        schema_extra = staticmethod(_nullable_optionals)

    @validator("*", allow_reuse=True)
    def _utc(cls, value: Any) -> Any:
        # The store keeps times as naive UTC; on the wire a time carries its offset (RFC 3339).
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


# Characters no text a person sends contains: C0 controls other than tab and line breaks,
# DEL, and lone UTF-16 surrogates (JSON can carry "\ud800"; nothing downstream can encode it).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        if _NOT_TEXT.search(value):
            raise ValueError("contains characters that are not text (a control character or a lone surrogate)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_text(item)


class RequestModel(ApiModel):
    """A request body: any string in it, however deep, must be text (a clear 422 otherwise,
    not a failure further on)."""

    @validator("*", pre=True, allow_reuse=True)
    def _only_text(cls, value: Any) -> Any:
        _check_text(value)
        return value


class Problem(BaseModel):
    """Why a request was refused, in words a person can read."""

    detail: str


class FieldProblem(BaseModel):
    field: str
    message: str


class ValidationProblem(BaseModel):
    """A request that is not valid: a summary, and one entry per field at fault (none when
    the request is well formed but cannot be carried out)."""

    detail: str
    errors: List[FieldProblem] = []


class Health(BaseModel):
    status: str
    database: str


_DESCRIPTIONS = {
    400: "The request is malformed: a body that cannot be read, or a header that is not what it should be",
    401: "The token is missing or wrong",
    404: "There is no such thing",
    409: "The request conflicts with the current state: for a message, a button from earlier in the conversation",
    413: "The request body is larger than 256 KB",
    422: "The request is not valid",
    429: "Too many requests: wait the number of seconds in Retry-After and try again",
    503: "The store is unavailable just now: try again shortly",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}},
}


def problems(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses an operation can give, for FastAPI's `responses=`."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in status_codes:
        response: dict[str, Any] = {
            "model": ValidationProblem if code == 422 else Problem,
            "description": _DESCRIPTIONS[code],
        }
        if code in _HEADERS:
            response["headers"] = _HEADERS[code]
        responses[code] = response
    return responses
