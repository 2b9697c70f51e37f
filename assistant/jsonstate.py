"""Plain state (dataclasses, pydantic models, enums, tuples, dates) to JSON and back, generically: a field
added to a dataclass later round-trips without code here. Only this project's own classes are rebuilt, so a
row of the database cannot make the reader import or construct anything else."""

from __future__ import annotations

import dataclasses
import enum
import importlib
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

PACKAGES = ("assistant.",)  # modules whose classes stored data may name


class StateError(ValueError):
    """A value that cannot be stored, or stored data naming a class that may not be rebuilt."""


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith(PACKAGES):
        raise StateError(f"not a class of this project: {name!r}")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type):
        raise StateError(f"not a class: {name!r}")
    return found


def encode(value: Any) -> Any:
    """JSON-ready data of ``value``; StateError for what has no faithful encoding (a function, a lock)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return {"__enum": _name(type(value)), "v": encode(value.value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dc": _name(type(value)), "f": fields}
    if isinstance(value, BaseModel):
        return {"__model": _name(type(value)), "v": value.model_dump(mode="json")}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"__tuple": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"__set": [encode(v) for v in value], "frozen": isinstance(value, frozenset)}
    if isinstance(value, dict):
        return {"__dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, datetime):
        return {"__datetime": value.isoformat()}
    if isinstance(value, date):
        return {"__date": value.isoformat()}
    raise StateError(f"cannot store a {type(value).__name__} as JSON state")


def _make(data: dict[str, Any]) -> Any:
    if "__tuple" in data:
        return tuple(decode(v) for v in data["__tuple"])
    if "__set" in data:
        items = [decode(v) for v in data["__set"]]
        return frozenset(items) if data.get("frozen") else set(items)
    if "__dict" in data:
        return {decode(k): decode(v) for k, v in data["__dict"]}
    if "__datetime" in data:
        return datetime.fromisoformat(data["__datetime"])
    if "__date" in data:
        return date.fromisoformat(data["__date"])
    if "__enum" in data:
        return _class(data["__enum"])(decode(data["v"]))
    if "__model" in data:
        model = _class(data["__model"])
        if not issubclass(model, BaseModel):
            raise StateError(f"not a pydantic model: {data['__model']!r}")
        return model.model_validate(data["v"])
    if "__dc" in data:
        cls = _class(data["__dc"])
        if not dataclasses.is_dataclass(cls):
            raise StateError(f"not a dataclass: {data['__dc']!r}")
        known = {f.name: f for f in dataclasses.fields(cls)}
        values = {k: decode(v) for k, v in data["f"].items() if k in known}  # a field since removed is dropped
        obj = cls(**{k: v for k, v in values.items() if known[k].init})
        for k, v in values.items():
            if not known[k].init:
                object.__setattr__(obj, k, v)
        return obj
    raise StateError(f"unknown state record with keys {sorted(data)[:5]}")


def decode(data: Any) -> Any:
    """The value ``encode`` was given (tuples, sets and class instances rebuilt)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if isinstance(data, dict):
        return _make(data)
    return data
