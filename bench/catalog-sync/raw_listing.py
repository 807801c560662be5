"""The baseline for bench/catalog-sync: one Python process walking the same workspace the plain way,
one request after another (catalogs, schemas, tables with columns, volumes, functions, models and
their versions), discarding what it reads; then, with --tags, the tags that walk needs, the plain
way too: `warehouse` reads system.information_schema's tag views one statement after another,
`objects` asks entity-tag-assignments for each catalog, schema, table and volume in turn.
Prints one JSON line: {"seconds", "requests", "tables", "columns", "tags_seconds", "tag_requests"}."""

import json
import os
import sys
import time

from databricks.sdk import WorkspaceClient

BASE = "/api/2.1/unity-catalog"
VIEWS = (("catalog_tags", "catalog_name"), ("schema_tags", "catalog_name, schema_name"), ("table_tags", "catalog_name, schema_name, table_name"),
         ("column_tags", "catalog_name, schema_name, table_name, column_name"), ("volume_tags", "catalog_name, schema_name, volume_name"))


class Counter:
    def __init__(self, w):
        self.w = w
        self.requests = 0

    def do(self, method, path, **kwargs):
        self.requests += 1
        return self.w.api_client.do(method, path, **kwargs)


def pages(api, path, query, key):
    token = None
    while True:
        q = dict(query, max_results=int(os.environ.get("PAGE_SIZE", "100")))
        if token:
            q["page_token"] = token
        body = api.do("GET", path, query=q)
        yield body.get(key) or []
        token = body.get("next_page_token")
        if not token:
            return


def listing(api):
    tables = columns = 0
    objects = []
    for catalogs in pages(api, f"{BASE}/catalogs", {}, "catalogs"):
        for catalog in catalogs:
            objects.append(("catalogs", catalog["name"]))
            for schemas in pages(api, f"{BASE}/schemas", {"catalog_name": catalog["name"]}, "schemas"):
                for schema in schemas:
                    objects.append(("schemas", f"{catalog['name']}.{schema['name']}"))
                    scope = {"catalog_name": catalog["name"], "schema_name": schema["name"]}
                    for page in pages(api, f"{BASE}/tables", scope, "tables"):
                        tables += len(page)
                        columns += sum(len(t.get("columns") or []) for t in page)
                        objects += [("tables", t["full_name"]) for t in page]
                    for path, key in (("volumes", "volumes"), ("functions", "functions"), ("models", "registered_models")):
                        for page in pages(api, f"{BASE}/{path}", scope, key):
                            if path == "volumes":
                                objects += [("volumes", v["full_name"]) for v in page]
                            if path == "models":
                                for model in page:
                                    for _ in pages(api, f"{BASE}/models/{model['full_name']}/versions", {}, "model_versions"):
                                        pass
    return tables, columns, objects


def warehouse_tags(api, warehouse):
    for view, keys in VIEWS:
        body = {"statement": f"SELECT {keys}, tag_name, tag_value FROM system.information_schema.{view}", "warehouse_id": warehouse,
                "wait_timeout": "30s", "disposition": "INLINE", "format": "JSON_ARRAY"}
        answer = api.do("POST", "/api/2.0/sql/statements", body=body)
        while answer["status"]["state"] in ("PENDING", "RUNNING"):
            time.sleep(0.5)
            answer = api.do("GET", f"/api/2.0/sql/statements/{answer['statement_id']}")
        result = answer.get("result") or {}
        while result.get("next_chunk_index") is not None:
            result = api.do("GET", f"/api/2.0/sql/statements/{answer['statement_id']}/result/chunks/{result['next_chunk_index']}")


def object_tags(api, objects):
    for entity_type, full_name in objects:
        for _ in pages(api, f"{BASE}/entity-tag-assignments/{entity_type}/{full_name}/tags", {}, "tag_assignments"):
            pass


def main() -> int:
    tags = sys.argv[1] if len(sys.argv) > 1 else "none"
    w = WorkspaceClient(host=os.environ["DATABRICKS_HOST"], token=os.environ["DATABRICKS_TOKEN"], auth_type="pat")
    w.current_user.me()  # connection and auth set up before the clock starts, as the bridge's are
    api = Counter(w)
    started = time.monotonic()
    tables, columns, objects = listing(api)
    seconds = time.monotonic() - started
    requests = api.requests
    started = time.monotonic()
    if tags == "warehouse":
        warehouse_tags(api, os.environ["DATABRICKS_WAREHOUSE_ID"])
    elif tags == "objects":
        object_tags(api, objects)
    print(json.dumps({"seconds": round(seconds, 3), "requests": requests, "tables": tables, "columns": columns,
                      "tags_seconds": round(time.monotonic() - started, 3), "tag_requests": api.requests - requests}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
