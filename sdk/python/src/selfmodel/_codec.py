"""JSON to dataclasses and back, driven by the dataclasses' type hints: what a model declares is
exactly what is read, so the contract test over the hints covers the parsing too.

Responses ignore fields a model does not declare (forward compatible); a field it declares
without a default must be present. Error messages name fields and types, never values (a value
may be a secret).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from datetime import UTC, datetime
from typing import Any, TypeVar

from .errors import ProtocolError
from .secret import Secret

T = TypeVar("T")


@functools.cache
def hints(cls: type) -> dict[str, Any]:
    """The resolved type hints of a dataclass's fields."""
    resolved = typing.get_type_hints(cls)
    return {f.name: resolved[f.name] for f in dataclasses.fields(cls)}


def optional_inner(hint: Any) -> Any | None:
    """``X`` for a hint ``X | None``, else ``None``."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(rest) == 1 and len(typing.get_args(hint)) == 2:
            return rest[0]
    return None


def decode(cls: type[T], data: Any, where: str = "") -> T:
    """A dataclass ``cls`` read from parsed JSON."""
    value: T = _value(cls, data, where or cls.__name__)
    return value


def _value(hint: Any, data: Any, where: str) -> Any:
    inner = optional_inner(hint)
    if inner is not None:
        return None if data is None else _value(inner, data, where)
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        items = _expect(data, list, where)
        return [_value(item, x, f"{where}[{i}]") for i, x in enumerate(items)]
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass(hint, data, where)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(_expect(data, str, where))
        except ValueError:
            raise ProtocolError(f"{where}: not a known {hint.__name__}") from None
    if isinstance(hint, type) and issubclass(hint, Secret):
        return hint(_expect(data, str, where))
    if hint is datetime:
        return decode_time(_expect(data, str, where), where)
    if hint is float:
        if isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        return _expect(data, float, where)
    if hint in (str, int, bool):
        return _expect(data, hint, where)
    raise TypeError(f"{where}: no decoding for {hint!r}")


def _dataclass(cls: type, data: Any, where: str) -> Any:
    obj = _expect(data, dict, where)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        hint = hints(cls)[field.name]
        if field.name in obj:
            values[field.name] = _value(hint, obj[field.name], f"{where}.{field.name}")
        elif optional_inner(hint) is not None:
            values[field.name] = None
        else:
            raise ProtocolError(f"{where}: the field {field.name!r} is missing")
    return cls(**values)


def _expect(data: Any, kind: type[T], where: str) -> T:
    if not isinstance(data, kind) or (isinstance(data, bool) and kind is not bool):
        raise ProtocolError(f"{where}: expected {kind.__name__}, got {type(data).__name__}")
    return data


def decode_time(text: str, where: str = "time") -> datetime:
    """An RFC 3339 time with its offset."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ProtocolError(f"{where}: not an RFC 3339 time") from None
    if at.tzinfo is None:
        raise ProtocolError(f"{where}: a time without its offset")
    return at


def encode(value: Any) -> Any:
    """JSON for a request dataclass: fields that are ``None`` are left out (the server's default
    applies), secrets are exposed, enums are their values, times are RFC 3339 in UTC."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if item is not None:
                out[field.name] = encode(item)
        return out
    if isinstance(value, (list, tuple)):
        return [encode(x) for x in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Secret):
        return value.expose()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("times sent to the server need a time zone")
        return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return value
