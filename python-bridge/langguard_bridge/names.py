"""Unity Catalog names are parts: (catalog), (catalog, schema) or (catalog, schema, name). A full
name is for display and for the API, never for splitting, because a part may hold a dot. A part
holding a dot or a backtick (or empty) is written in backticks with backticks doubled, as
Databricks SQL quotes identifiers; every other part is written as it is. The same rule is
packages/unity-catalog/src/names.ts."""

from __future__ import annotations


def quote_part(part: str) -> str:
    if part == "" or "." in part or "`" in part:
        return "`" + part.replace("`", "``") + "`"
    return part


def full_name(*parts: str) -> str:
    return ".".join(quote_part(p) for p in parts)
