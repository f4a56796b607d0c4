"""The one safe reader of input documents: profiles, plans, roster files and what-if values.

Every document legplan reads goes through :func:`read_document` (or :func:`parse_text` /
:func:`yaml_value` / :func:`scalar` for text that is not a file), which guarantees:

* **bounded**: at most ``MAX_DOCUMENT_BYTES`` (1 MiB) are read — a profile or plan is a few KB,
  so ``/dev/zero`` or a wrong file fails at once; at most ``MAX_DEPTH`` levels of nesting and
  ``MAX_VALUES`` values (YAML aliases included), so nothing recurses or expands without limit;
* **no silent last-one-wins**: a key given twice in one mapping is an error naming the field;
* **numbers are numbers**: YAML scalars resolve YAML 1.2-like — ``true``/``false``, plain decimal
  integers and decimal floats (``.inf``/``.nan`` too, which validation then rejects as not
  finite); ``1:04`` (YAML 1.1 base 60), ``6_4``, ``0x1E``, ``0o17``, ``010``, ``yes``/``no`` stay
  text, so a numeric field says "must be a number"; no timestamps, no ``<<`` merges. A float
  with an integral value (``60.0``) becomes an int, so it may fill a whole-number field; an
  integer too long to be any field's value becomes a float (no 4,300-digit conversion error);
* a UTF-8 byte-order mark is accepted, as CSV rosters accept it.

Problems raise :class:`InputError` naming the file (and the field where there is one).
:func:`validation_problems` turns a pydantic error into the same (field, message) problems, saying
what is allowed ("must be a whole number from 0 to 10000").
"""

from __future__ import annotations

import json
import re
import types
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import yaml
from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic.fields import FieldInfo
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import BaseResolver

from planner.model.errors import InputError

MAX_DOCUMENT_BYTES = 1 << 20  # 1 MiB: a profile or a plan JSON is a few KB
MAX_DEPTH = 20  # levels of nesting; a plan JSON nests 8
MAX_VALUES = 250_000  # values in one document, aliases expanded; a plan JSON holds a few thousand
MAX_INT_DIGITS = 15  # longer integers are read as floats: no field takes such a value anyway

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class DocumentError(ValueError):
    """A document that parses but is unusable as a whole (too deep, too large)."""


class _Mapping(dict):  # type: ignore[type-arg]
    """A mapping as parsed, with the keys it repeated: ``(key, where)``."""

    __slots__ = ("repeated",)

    def __init__(self) -> None:
        super().__init__()
        self.repeated: list[tuple[Any, str]] = []


class _LongInt(float):
    """An integer too long to be any field's value, held as a float (no 4,300-digit limit to
    trip on), that still shows as what the file said."""

    digits: str

    def shown(self) -> str:
        return f"{self.digits[:12]}… ({len(self.digits.lstrip('+-')):,} digits)"


def _int(text: str) -> int | float:
    digits = text.lstrip("+-")
    if len(digits) <= MAX_INT_DIGITS:
        return int(text)
    value = _LongInt(text)
    value.digits = text
    return value


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered.endswith(".nan"):
        return float("nan")
    return float(text)


def scalar(text: str) -> bool | int | float | str:
    """A plain scalar as YAML 1.2-like resolution reads it: ``true``/``false``, a decimal integer
    or float, else the text unchanged (CSV roster cells)."""
    if text in _BOOL:
        return _BOOL[text]
    if _INT.fullmatch(text):
        return _normal(_int(text))
    if _FLOAT.fullmatch(text):
        return _normal(_float(text))
    return text


def _normal(value: Any) -> Any:
    """An integral float as an int (``60.0`` fills a whole-number field), within float precision."""
    if type(value) is float and value.is_integer() and abs(value) <= 2 ** 53:
        return int(value)
    return value


# --- YAML ----------------------------------------------------------------------------------------
class _Resolver(BaseResolver):
    """YAML 1.2 core schema resolution without hex/octal integers (see the module docstring)."""


_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                ["~", "n", "N", ""])
_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(
    r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(rf"^(?:{_INT.pattern})$"),
                                list("-+0123456789"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(rf"^(?:{_FLOAT.pattern})$"),
                                list("-+0123456789."))


class _Constructor(SafeConstructor):
    def _plain(self, node: yaml.Node, pattern: re.Pattern[str], what: str) -> str:
        value = self.construct_scalar(node)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ConstructorError(None, None, f"{value!r} is not {what}", node.start_mark)
        return value

    def construct_yaml_int(self, node: yaml.Node) -> int | float:
        return _int(self._plain(node, _INT, "a plain decimal integer"))

    def construct_yaml_float(self, node: yaml.Node) -> float:
        return _float(self._plain(node, _FLOAT, "a plain decimal number"))

    def construct_yaml_bool(self, node: yaml.Node) -> bool:
        value = self.construct_scalar(node)
        if value not in _BOOL:
            raise ConstructorError(None, None, f"{value!r} is not true or false", node.start_mark)
        return _BOOL[value]

    def construct_yaml_map(self, node: yaml.Node):  # type: ignore[override]
        data = _Mapping()
        yield data
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError("while reading a mapping", node.start_mark,
                                       "a key must be text or a number", key_node.start_mark
                                       ) from None
            line = key_node.start_mark.line + 1
            if key in lines:
                where = f"lines {lines[key]} and {line}" if lines[key] != line else f"line {line}"
                data.repeated.append((key, f" ({where})"))
            lines.setdefault(key, line)
            data[key] = self.construct_object(value_node)


for _tag, _method in (("int", _Constructor.construct_yaml_int),
                      ("float", _Constructor.construct_yaml_float),
                      ("bool", _Constructor.construct_yaml_bool),
                      ("map", _Constructor.construct_yaml_map)):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _method)


class _DepthLimit:
    """Composes nodes in Python with a depth limit (libyaml's composer recurses in C and
    crashes the process on deep nesting; its parser, which this reads events from, does not)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise DocumentError(f"nested more than {MAX_DEPTH} levels deep")
            return Composer.compose_node(self, parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1


if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CParser

    class _Loader(_DepthLimit, Composer, CParser, _Constructor, _Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
else:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(_DepthLimit, Reader, Scanner, Parser, Composer, _Constructor,  # type: ignore[no-redef]
                  _Resolver):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)


def _load_yaml(text: str) -> Any:
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# --- JSON ----------------------------------------------------------------------------------------
def _json_object(pairs: list[tuple[str, Any]]) -> _Mapping:
    data = _Mapping()
    for key, value in pairs:
        if key in data:
            data.repeated.append((key, ""))
        data[key] = value
    return data


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_object, parse_int=_int)
    except RecursionError:
        raise DocumentError(f"nested more than {MAX_DEPTH} levels deep") from None


# --- the shared checks ---------------------------------------------------------------------------
def _field(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


def _checked(document: Any) -> tuple[Any, list[tuple[str, str]]]:
    """The document as plain dicts and lists (integral floats as ints), and its repeated keys.

    Raises DocumentError past ``MAX_DEPTH`` or ``MAX_VALUES`` (counting every use of a YAML alias).
    """
    problems: list[tuple[str, str]] = []
    count = 0

    def walk(value: Any, path: tuple[Any, ...]) -> Any:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            raise DocumentError(f"holds more than {MAX_VALUES:,} values (aliases expanded); a "
                                "profile or plan holds a few hundred")
        if len(path) >= MAX_DEPTH and isinstance(value, (dict, list)):
            raise DocumentError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, where in getattr(value, "repeated", ()):
                problems.append((_field(path + (key,)),
                                 f"given twice{where}; each field may appear once"))
            return {k: walk(v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, path + (i,)) for i, v in enumerate(value)]
        return _normal(value)

    return walk(document, ()), problems


def parse_text(text: str, source: str, fmt: str) -> Any:
    """Parse ``text`` as ``fmt`` ("json" or "yaml"); InputError naming ``source`` on any problem."""
    text = text.removeprefix("\ufeff")
    try:
        document = _load_json(text) if fmt == "json" else _load_yaml(text)
        document, repeated = _checked(document)
    except DocumentError as e:
        raise InputError(source, [("", f"not a usable document: {e}")]) from None
    except json.JSONDecodeError as e:
        raise InputError(source, [("", f"not valid JSON: {e.msg} at line {e.lineno}")]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "syntax error"
        if "nesting depth" in problem:  # PyYAML ≥ 6.0.4's libyaml stops deep nesting itself
            raise InputError(source, [("", "not a usable document: nested more than "
                                           f"{MAX_DEPTH} levels deep")]) from None
        raise InputError(source, [("", f"not valid YAML: {problem}{where}")]) from None
    if repeated:
        raise InputError(source, repeated)
    return document


def yaml_value(text: str, source: str) -> Any:
    """One value written in YAML (``--set availability={sat: 0}``), read like a profile file."""
    return parse_text(text, source, "yaml")


def read_text(path: Path, typical: str = "a profile or plan is a few KB") -> str:
    """A UTF-8 text file (a byte-order mark is fine) of at most 1 MiB; InputError naming the file
    on any problem (``typical`` says, for one too large, what size the file should be)."""
    source = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(source, [("", "file not found")]) from None
    except OSError as e:
        raise InputError(source, [("", f"cannot read file: {e.strerror or e}")]) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(source, [("", (f"larger than 1 MiB, the most legplan reads; {typical} "
                                       "(is this the right file?)"))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(source, [("", (f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                                       f"{e.start})"))]) from None


def read_document(path: Path) -> Any:
    """Read a YAML or JSON file (``.json`` is JSON, anything else YAML), at most 1 MiB; raise
    InputError naming the file on any problem."""
    return parse_text(read_text(path), str(path),
                      "json" if path.suffix.lower() == ".json" else "yaml")


# --- validation messages -------------------------------------------------------------------------
_WHOLE = {"int_type", "int_parsing", "int_from_float"}
_NUMBER = {"float_type", "float_parsing", "finite_number"}
_RANGE = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}


def _unwrap(node: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    while True:
        origin = get_origin(node)
        if origin is Annotated:
            node, *extra = get_args(node)
            for e in extra:
                metadata = metadata + (list(e.metadata) if isinstance(e, FieldInfo) else [e])
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(node) if a is not type(None)]
            if len(args) != 1:
                return node, metadata
            node = args[0]
        else:
            return node, metadata


def _field_type(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, list[Any]]:
    """The annotation and constraints of the field at ``loc`` (``(None, [])`` if unknown)."""
    node: Any = model
    metadata: list[Any] = []
    for part in loc:
        node, metadata = _unwrap(node, metadata)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None, []
            node, metadata = field.annotation, list(field.metadata)
        elif get_origin(node) is list and isinstance(part, int):
            node, metadata = get_args(node)[0], []
        elif get_origin(node) is dict:
            node, metadata = get_args(node)[1], []
        else:
            return None, []
    return _unwrap(node, metadata)


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _range(metadata: list[Any]) -> str:
    """The range in words: `` from 0 to 10000``, `` above 0 and at most 1``, or ``""``."""
    low = high = None
    low_incl = high_incl = True
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            low, low_incl = _num(m.ge), True
        elif isinstance(m, annotated_types.Gt):
            low, low_incl = _num(m.gt), False
        elif isinstance(m, annotated_types.Le):
            high, high_incl = _num(m.le), True
        elif isinstance(m, annotated_types.Lt):
            high, high_incl = _num(m.lt), False
    if low is not None and high is not None:
        if low_incl and high_incl:
            return f" from {low} to {high}"
        return (f" {'at least' if low_incl else 'above'} {low} and "
                f"{'at most' if high_incl else 'below'} {high}")
    if low is not None:
        return f" {'of at least' if low_incl else 'above'} {low}"
    if high is not None:
        return f" {'of at most' if high_incl else 'below'} {high}"
    return ""


def _shown(value: Any) -> str:
    if isinstance(value, _LongInt):
        return value.shown()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the text {value[:40]!r}" + ("…" if len(value) > 40 else "")
    if isinstance(value, (int, float)):
        text = _num(value) if isinstance(value, float) else str(value)
        return text if len(text) <= 40 else text[:20] + "…"
    return {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


def _message(model: type[BaseModel] | None, e: Any, schema: str) -> str:
    kind, msg = e["type"], e["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return f"unknown field (typo?); allowed fields are listed by `legplan schema {schema}`"
    if kind == "literal_error":
        return msg.replace("Input should be", "must be one of:")
    if kind == "too_long":
        ctx = e.get("ctx", {})
        return f"at most {ctx.get('max_length')} entries, not {ctx.get('actual_length')}"
    annotation, metadata = _field_type(model, e["loc"]) if model is not None else (None, [])
    given = f", not {_shown(e.get('input'))}"
    if annotation is int and (kind in _WHOLE or kind in _RANGE):
        return f"must be a whole number{_range(metadata)}{given}"
    if annotation is float and kind == "finite_number":
        return f"must be a finite number{_range(metadata)}{given}"
    if annotation is float and (kind in _NUMBER or kind in _RANGE):
        return f"must be a number{_range(metadata)}{given}"
    if kind == "bool_type":
        return f"must be true or false{given}"
    if kind == "string_type":
        return f"must be text{given}"
    return msg


def validation_problems(err: ValidationError, model: type[BaseModel] | None = None,
                        schema: str = "profile") -> list[tuple[str, str]]:
    """Turn a pydantic error into (field, message) pairs that say what is allowed; ``model`` is
    the validated model (for the field's range), ``schema`` names `legplan schema <schema>`."""
    return [(_field(e["loc"]), _message(model, e, schema)) for e in err.errors(include_url=False)]


def iso_date(value: Any) -> Any:
    """A date written as text, ``YYYY-MM-DD`` (JSON and the YAML 1.2 reader have no date type);
    a date object as it is; anything else is left to the field's own check."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date written YYYY-MM-DD") from None
    return value


IsoDate = Annotated[date, BeforeValidator(iso_date)]  # a contract date field (plan weeks, calibration)
