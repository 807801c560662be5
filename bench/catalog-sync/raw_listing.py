"""The baseline for bench/catalog-sync: one Python process walking the same workspace the plain way,
one request after another (catalogs, schemas, tables with columns, volumes, functions, models and
their versions), discarding what it reads. Prints one JSON line: {"seconds", "requests", "tables", "columns"}."""

import json
import os
import sys
import time

from databricks.sdk import WorkspaceClient


def pages(w, path, query, key):
    token = None
    while True:
        q = dict(query, max_results=int(os.environ.get("PAGE_SIZE", "100")))
        if token:
            q["page_token"] = token
        body = w.api_client.do("GET", path, query=q)
        yield body.get(key) or []
        token = body.get("next_page_token")
        if not token:
            return


def main() -> int:
    w = WorkspaceClient(host=os.environ["DATABRICKS_HOST"], token=os.environ["DATABRICKS_TOKEN"], auth_type="pat")
    w.current_user.me()  # connection and auth set up before the clock starts, as the bridge's are
    started = time.monotonic()
    requests = tables = columns = 0
    base = "/api/2.1/unity-catalog"
    for catalogs in pages(w, f"{base}/catalogs", {}, "catalogs"):
        requests += 1
        for catalog in catalogs:
            for schemas in pages(w, f"{base}/schemas", {"catalog_name": catalog["name"]}, "schemas"):
                requests += 1
                for schema in schemas:
                    scope = {"catalog_name": catalog["name"], "schema_name": schema["name"]}
                    for page in pages(w, f"{base}/tables", scope, "tables"):
                        requests += 1
                        tables += len(page)
                        columns += sum(len(t.get("columns") or []) for t in page)
                    for listing, key in (("volumes", "volumes"), ("functions", "functions"), ("models", "registered_models")):
                        for page in pages(w, f"{base}/{listing}", scope, key):
                            requests += 1
                            if listing == "models":
                                for model in page:
                                    for _ in pages(w, f"{base}/models/{model['full_name']}/versions", {}, "model_versions"):
                                        requests += 1
    print(json.dumps({"seconds": round(time.monotonic() - started, 3), "requests": requests, "tables": tables, "columns": columns}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
