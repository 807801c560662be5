"""The integration's include/exclude patterns: RE2 regular expressions (google-re2), matched against
the whole full name of a catalog (`main`), schema (`main.sales`) or table (`main.sales.orders`).
The gateway checks them with the same RE2 release before it saves them (packages/unity-catalog),
and RE2 matches in time linear in the name, whatever the pattern."""

from __future__ import annotations

from .errors import BridgeFailure
from .names import full_name

LEVELS = ("catalogs", "schemas", "tables")
PATTERN_HINT = "Patterns are RE2 regular expressions matched against the whole full name: catalog, catalog.schema or catalog.schema.table."


def _re2():
    """google-re2, imported when patterns are compiled: the bridge's other commands run without it."""
    try:
        import re2
    except ImportError as exc:
        raise BridgeFailure(
            "sdk_missing", f"RE2 for catalog filter patterns is not available ({type(exc).__name__})", "pip install -r python-bridge/requirements.txt (google-re2) in the bridge's Python."
        ) from None
    options = re2.Options()
    # RE2 logs refused patterns to stderr by default; the refusal is reported as a config error instead.
    options.log_errors = False
    return re2, options


def _reason(exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def compile_patterns(params: dict, section: str) -> dict:
    """The section's patterns by level, compiled; its shape (levels, lists of strings) was checked
    against the contract before the command ran."""
    raw = params.get(section) or {}
    compiled: dict[str, list] = {}
    re2, options = _re2()
    for level in LEVELS:
        compiled[level] = []
        for pattern in raw.get(level) or []:
            try:
                compiled[level].append(re2.compile(pattern, options))
            except re2.error as exc:
                raise BridgeFailure("config", f"Invalid {section}.{level} pattern '{pattern[:200]}': {_reason(exc)}", PATTERN_HINT) from None
    return compiled


class Filters:
    def __init__(self, params: dict):
        self.include = compile_patterns(params, "include")
        self.exclude = compile_patterns(params, "exclude")

    def _matches(self, level: str, name: str) -> bool:
        include = self.include[level]
        if include and not any(p.fullmatch(name) for p in include):
            return False
        return not any(p.fullmatch(name) for p in self.exclude[level])

    def wants_catalog(self, catalog: str) -> bool:
        return self._matches("catalogs", full_name(catalog))

    def wants_schema(self, catalog: str, schema: str) -> bool:
        full = full_name(catalog, schema)
        if not self._matches("schemas", full):
            return False
        if schema.lower() == "information_schema":
            # Every catalog has one, full of views over the rest: only read when asked for by name.
            return any("information_schema" in p.pattern and p.fullmatch(full) for p in self.include["schemas"])
        return True

    def wants_table(self, catalog: str, schema: str, table: str) -> bool:
        return self._matches("tables", full_name(catalog, schema, table))
