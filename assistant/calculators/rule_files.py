"""Reads corpus/rules/*.yaml into the rule_models and reports each fault with file, line and key path.

The YAML is composed once to learn the line of every key; pydantic's error locations are mapped back onto it.
`ingest.py --check` and the loaders go through the same check, so a file that validates is a file that loads.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from assistant.calculators.schema import RULE_MODELS
from assistant.validation import Problem, display_path, validate_metadata

M = TypeVar("M", bound=BaseModel)
KeyPath = tuple[str | int, ...]

_MAPPING = {"model_type", "model_attributes_type", "dict_type"}
_LIST = {"too_short", "tuple_type", "list_type"}


def yaml_lines(text: str) -> dict[str, int]:
    """Dotted key path ('two_part_tariff.levels[1].voltage') -> 1-based line, so problems point at the line."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, where: str) -> None:
        lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{where}.{key.value}" if where else str(key.value)
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, f"{where}[{i}]")

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, "")
    return lines


def line_for(column: str | None, lines: dict[str, int]) -> int | None:
    """The key's line, else its nearest parent's (a missing key is reported where it should have been)."""
    key = column or ""
    while key:
        if key in lines:
            return lines[key]
        parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", key)
        if parent == key:
            return None  # a missing top-level key has no line of its own
        key = parent
    return None


def dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def data_path(loc: tuple[str | int, ...], data: Any, missing: bool = False) -> KeyPath:
    """pydantic's loc as a path in the YAML: the union tags it inserts (`rent_relief`, `unknown`) are dropped."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int):
            out.append(part)
            node = node[part] if part < len(node) else None
        elif isinstance(node, dict) and part not in node and (i < len(loc) - 1 or not missing):
            # not a key of this mapping: a tag of a discriminated union (last when a whole item is at fault,
            # as a criterion whose comparison does not fit its fact); only a missing key is itself absent
            continue
        else:
            out.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(out)


def _message(error: ErrorDetails, path: KeyPath, missing: dict[KeyPath, list[str]]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing required key"
    if kind == "extra_forbidden":
        key = str(path[-1])
        close = difflib.get_close_matches(key, missing.get(path[:-1], []), n=1)
        return f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind in _MAPPING:
        return "should be a mapping"
    if kind in _LIST:
        return "should be a non-empty list"
    return error["msg"]  # the rule_models types word their own faults


def _open_section(path: KeyPath, model: type[BaseModel]) -> str:
    """Why a fault is under a top-level key the model does not name (land.yaml reads such keys as note sections)."""
    known = [field.alias or name for name, field in model.model_fields.items()]
    if not path or path[0] in known or model.model_config.get("extra") != "allow":
        return ""
    close = difflib.get_close_matches(str(path[0]), known, n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    return f"; {str(path[0])!r} is not a known key{guess}, so it is read as a note section (note, source, sample)"


def _model_problems(exc: ValidationError, data: Any, model: type[BaseModel], shown: str) -> list[Problem]:
    # pydantic counts a list's length after its items are validated: a list whose only item is bad is not empty
    errors = [e for e in exc.errors(include_url=False) if not (e["type"] == "too_short" and e["input"])]
    paths = [data_path(e["loc"], data, e["type"] == "missing") for e in errors]
    missing: dict[KeyPath, list[str]] = {}
    for error, path in zip(errors, paths, strict=True):
        if error["type"] == "missing" and path:
            missing.setdefault(path[:-1], []).append(str(path[-1]))
    return [Problem(shown, None, dotted(path) or None, _message(error, path, missing) + _open_section(path, model))
            for error, path in zip(errors, paths, strict=True)]


def _duplicates(data: dict[str, Any], model: type[BaseModel], shown: str) -> list[Problem]:
    """Keys that must be unique within a list (incentive ids, voltages): a rule the models declare as `unique`."""
    out: list[Problem] = []
    for where, key in getattr(model, "unique", ()):
        items: Any = data
        for part in where.split("."):
            items = items.get(part) if isinstance(items, dict) else None
        seen: set[str] = set()
        for i, item in enumerate(items if isinstance(items, list) else []):
            value = item.get(key) if isinstance(item, dict) else None
            if value is None:
                continue
            if str(value) in seen:
                out.append(Problem(shown, None, f"{where}[{i}].{key}", f"duplicate {key} {value!r}"))
            seen.add(str(value))
    return out


def check_rules_file(path: str | Path) -> tuple[BaseModel | None, list[Problem]]:
    """The file as its model (None when it has faults) and every fault, with file, line and key path."""
    shown, stem = display_path(path), Path(path).stem
    model = RULE_MODELS.get(stem)
    if model is None:
        return None, [Problem(shown, None, None, f"unknown rules file {stem!r} (expected tariffs, land or incentives)")]
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(shown, None, None, f"cannot read file: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(shown, mark.line + 1 if mark else None, None, f"YAML does not parse: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(shown, None, None, "top level must be a mapping")]
    found = validate_metadata(data.get("meta"), path, prefix="meta.")
    parsed: BaseModel | None = None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        said = {p.column for p in found}  # meta faults validate_metadata already worded
        found += [p for p in _model_problems(exc, data, model, shown) if p.column not in said]
    found += _duplicates(data, model, shown)
    if parsed is not None and hasattr(parsed, "reference_faults"):
        found += [Problem(shown, None, where, message) for where, message in parsed.reference_faults()]
    if not found:
        return parsed, []
    lines = yaml_lines(text)  # parsed again only when there is a fault to locate
    located = [Problem(p.path, p.row or line_for(p.column, lines), p.column, p.message) for p in found]
    return None, sorted(located, key=lambda p: (p.row is None, p.row or 0))


def validate_rules_file(path: str | Path) -> list[Problem]:
    return check_rules_file(path)[1]


def load_rules_file(path: str | Path, model: type[M]) -> M:
    """The validated model of one rules file; ValueError listing every fault when it has any."""
    parsed, problems = check_rules_file(path)
    if problems or not isinstance(parsed, model):
        detail = "\n".join(str(p) for p in problems) or f"not a {model.__name__} file"
        raise ValueError(f"{path} is invalid:\n{detail}")
    return parsed
