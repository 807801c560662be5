"""Each command's parameters, checked against the contract the TypeScript side owns.

schemas/contract.json is written from packages/bridge-client/src/contract.ts by
`scripts/bridge-schemas.ts` (run by setup; tests/bridge-contract.test.ts fails while it is stale):
per command, the JSON Schema of its params (keys, bounds, defaults) and of its records. Nothing
here states a key, a bound or a default of its own.

The validator covers the part of JSON Schema that zod's `z.toJSONSchema` writes for those params
(type, properties, required, additionalProperties, propertyNames, items, enum, const, anyOf, oneOf,
minimum/maximum and their exclusive forms, minItems/maxItems, minLength/maxLength, default), and
refuses anything else in a schema, so a construct it does not know cannot pass unchecked.
"""

from __future__ import annotations

import copy
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

from .errors import BridgeFailure

SCHEMAS = Path(__file__).with_name("schemas") / "contract.json"
_KNOWN = {
    "$schema",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "default",
    "description",
}


@cache
def schemas() -> dict:
    with SCHEMAS.open(encoding="utf-8") as f:
        return json.load(f)


def params_schema(command: str) -> dict:
    return schemas()[command]["params"]


def records_schema(command: str) -> dict | None:
    return schemas()[command]["records"]


class Invalid(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path or 'params'}: {reason}")
        self.path = path
        self.reason = reason


def validated(command: str, params: Any) -> dict:
    """The command's parameters with the contract's defaults filled in, or a config failure naming
    the field and the reason."""
    try:
        return check(params_schema(command), params)
    except Invalid as invalid:
        where = f"'{invalid.path}'" if invalid.path else "the parameters"
        raise BridgeFailure(
            "config",
            f"Invalid {command} parameter {where}: {invalid.reason}",
            "The parameters come from packages/bridge-client's contract; a value the contract refuses is a bug or a setting out of range.",
        ) from None


def check(schema: dict, value: Any, path: str = "") -> Any:
    """Validates `value` against `schema`; returns it with defaults filled in (a copy where filled)."""
    unknown = set(schema) - _KNOWN
    if unknown:
        raise Invalid(path, f"the contract uses JSON Schema keywords the bridge does not check: {', '.join(sorted(unknown))}")
    options = schema.get("anyOf", schema.get("oneOf"))
    if options is not None:
        # oneOf comes from discriminated unions, whose options never overlap: the first match is the one.
        # Where only one option has the value's type (an object or null), its own reason and path say more.
        fitting = [o for o in options if "type" not in o or any(_is(k, value, path) for k in (o["type"] if isinstance(o["type"], list) else [o["type"]]))]
        if len(fitting) == 1:
            return check(fitting[0], value, path)
        reasons = []
        for option in options:
            try:
                return check(option, value, path)
            except Invalid as invalid:
                reasons.append(invalid.reason)
        raise Invalid(path, " or ".join(dict.fromkeys(reasons)))
    if "const" in schema and value != schema["const"]:
        raise Invalid(path, f"must be {json.dumps(schema['const'])}")
    if "enum" in schema and value not in schema["enum"]:
        raise Invalid(path, f"must be one of {', '.join(json.dumps(v) for v in schema['enum'])}")
    kind = schema.get("type")
    if kind is not None:
        _check_type(kind if isinstance(kind, list) else [kind], value, path)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_bounds(schema, value, path)
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            raise Invalid(path, f"must have at least {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise Invalid(path, f"must have at most {schema['maxLength']} characters")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            raise Invalid(path, f"must list at least {schema['minItems']}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise Invalid(path, f"must list at most {schema['maxItems']}")
        items = schema.get("items")
        return [check(items, v, f"{path}[{i}]") for i, v in enumerate(value)] if items is not None else value
    if isinstance(value, dict):
        return _check_object(schema, value, path)
    return value


def _check_type(kinds: list, value: Any, path: str) -> None:
    if not any(_is(kind, value, path) for kind in kinds):
        what = {"object": "an object", "array": "a list", "string": "a string", "boolean": "true or false", "null": "null", "integer": "a whole number", "number": "a number"}
        raise Invalid(path, f"must be {' or '.join(what[k] for k in kinds)}")


def _is(kind: str, value: Any, path: str) -> bool:
    ok = {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "null": value is None,
        # JSON has one number type: 5.0 is a whole number; booleans are not numbers.
        "integer": isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and float(value).is_integer(),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value),
    }.get(kind)
    if ok is None:
        raise Invalid(path, f"the contract names a type the bridge does not check: {kind}")
    return ok


def _check_bounds(schema: dict, value: float, path: str) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        raise Invalid(path, f"must be at least {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        raise Invalid(path, f"must be at most {schema['maximum']}")
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        raise Invalid(path, f"must be more than {schema['exclusiveMinimum']}")
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        raise Invalid(path, f"must be less than {schema['exclusiveMaximum']}")


def _check_object(schema: dict, value: dict, path: str) -> dict:
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    names = schema.get("propertyNames")
    out = {}
    for key, item in value.items():
        where = f"{path}.{key}" if path else str(key)
        if names is not None:
            check(names, key, where)
        if key in properties:
            out[key] = check(properties[key], item, where)
        elif extra is False:
            raise Invalid(where, "is not a parameter of this command")
        elif isinstance(extra, dict):
            out[key] = check(extra, item, where)
        else:
            out[key] = item
    for key in schema.get("required", []):
        if key not in value:
            raise Invalid(f"{path}.{key}" if path else key, "is required")
    for key, sub in properties.items():
        if key not in out and "default" in sub:
            # A default is parsed like a given value, so an object's own defaults fill in too.
            out[key] = check(sub, copy.deepcopy(sub["default"]), f"{path}.{key}" if path else key)
    return out
