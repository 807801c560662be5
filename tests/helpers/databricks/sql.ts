import { randomUUID } from "node:crypto";
import { ApiError, invalidParameter, notFound } from "./errors.ts";
import { sleep } from "./http.ts";
import type { SqlResultSet, StatementFailure, TableState, WarehouseState, WorkspaceState } from "./layout.ts";

/**
 * Databricks SQL Statement Execution API 2.0 (docs.databricks.com/api/workspace/statementexecution)
 * over the workspace state. Execution failures answer HTTP 200 with `status.state: "FAILED"`;
 * only requests that are not accepted at all (bad parameters, unknown warehouse) are non-200.
 */

type State = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED";

interface Statement {
  id: string;
  warehouse: WarehouseState;
  /** GET polls answered so far. */
  polls: number;
  pendingPolls: number;
  runningPolls: number;
  readyAt: number;
  canceled: boolean;
  outcome: SqlResultSet | StatementFailure;
  disposition: "INLINE" | "EXTERNAL_LINKS";
  format: "JSON_ARRAY" | "CSV" | "ARROW_STREAM";
  rowLimit?: number;
}

export interface StatementRequest {
  statement?: string;
  warehouse_id?: string;
  wait_timeout?: string;
  on_wait_timeout?: string;
  disposition?: string;
  format?: string;
  catalog?: string;
  schema?: string;
  row_limit?: number;
  byte_limit?: number;
  parameters?: unknown[];
}

export function warehouseInfo(w: WarehouseState, host: string) {
  return {
    id: w.id,
    name: w.name,
    cluster_size: "2X-Small",
    min_num_clusters: 1,
    max_num_clusters: 1,
    auto_stop_mins: 10,
    creator_name: "fake.user@example.com",
    enable_photon: true,
    enable_serverless_compute: true,
    warehouse_type: "PRO",
    spot_instance_policy: "COST_OPTIMIZED",
    channel: { name: "CHANNEL_NAME_CURRENT" },
    state: w.state,
    num_clusters: w.state === "RUNNING" ? 1 : 0,
    num_active_sessions: 0,
    jdbc_url: `jdbc:databricks://${host}:443/default;transportMode=http;ssl=1;AuthMech=3;httpPath=/sql/1.0/warehouses/${w.id};`,
    odbc_params: { hostname: host, path: `/sql/1.0/warehouses/${w.id}`, port: 443, protocol: "https" },
    health: { status: w.state === "RUNNING" ? "HEALTHY" : "STATUS_UNSPECIFIED" },
    tags: {},
  };
}

export class StatementEngine {
  private readonly statements = new Map<string, Statement>();
  /** The SQL text of every statement submitted, in order. */
  readonly executed: string[] = [];

  constructor(
    private readonly state: WorkspaceState,
    private readonly baseUrl: () => string,
    private readonly signal: AbortSignal,
  ) {}

  warehouse(id: string): WarehouseState {
    const w = this.state.warehouses.get(id);
    if (!w || w.state === "DELETED") throw notFound("RESOURCE_DOES_NOT_EXIST", `Warehouse ${id} does not exist.`);
    return w;
  }

  async execute(req: StatementRequest): Promise<unknown> {
    if (typeof req.statement !== "string" || !req.statement.trim()) throw invalidParameter("statement is required");
    this.executed.push(req.statement);
    if (!req.warehouse_id) throw invalidParameter("warehouse_id is required");
    const waitSeconds = parseWaitTimeout(req.wait_timeout ?? "10s");
    const onWaitTimeout = req.on_wait_timeout ?? "CONTINUE";
    if (onWaitTimeout !== "CONTINUE" && onWaitTimeout !== "CANCEL") throw invalidParameter(`Invalid on_wait_timeout: ${onWaitTimeout}`);
    const disposition = req.disposition ?? "INLINE";
    const format = req.format ?? "JSON_ARRAY";
    if (disposition !== "INLINE" && disposition !== "EXTERNAL_LINKS") throw invalidParameter(`Invalid disposition: ${disposition}`);
    if (format !== "JSON_ARRAY" && format !== "CSV" && format !== "ARROW_STREAM") throw invalidParameter(`Invalid format: ${format}`);
    if (disposition === "INLINE" && format !== "JSON_ARRAY") throw invalidParameter(`Format ${format} is only supported with EXTERNAL_LINKS disposition.`);
    if (format === "ARROW_STREAM")
      throw new ApiError(501, "NOT_IMPLEMENTED", "The fake workspace does not produce ARROW_STREAM results; use JSON_ARRAY or CSV.");
    const warehouse = this.warehouse(req.warehouse_id);

    const id = `01ef${randomUUID().slice(4)}`;
    const sql = this.state.sql;
    let pendingPolls = sql.pendingPolls;
    if (warehouse.state === "STOPPED" && !warehouse.autoStart) {
      const st = this.register(
        id,
        warehouse,
        req,
        {
          message: `Warehouse ${warehouse.id} is not running (state: STOPPED) and could not be started for this statement. Start the warehouse and retry.`,
          errorCode: "BAD_REQUEST",
        },
        0,
        0,
        0,
      );
      return this.response(st);
    }
    if (warehouse.state === "STOPPED" || warehouse.state === "STARTING" || warehouse.state === "STOPPING") {
      warehouse.state = "STARTING";
      pendingPolls += warehouse.startPolls;
    }
    const outcome = this.run(req.statement, req.catalog, req.schema);
    const st = this.register(id, warehouse, req, outcome, pendingPolls, sql.runningPolls, sql.executionMs);

    if (waitSeconds > 0 && !isTerminal(this.stateOf(st))) {
      // Wall-clock execution really is waited for (up to wait_timeout). Poll-gated statements
      // cannot finish without polls, so answer at once as though the wait had run out.
      const deadline = Date.now() + waitSeconds * 1000;
      while (st.pendingPolls + st.runningPolls === 0 && !isTerminal(this.stateOf(st)) && Date.now() < deadline && !this.signal.aborted) {
        await sleep(Math.max(1, Math.min(st.readyAt, deadline) - Date.now()), this.signal);
      }
      if (!isTerminal(this.stateOf(st)) && onWaitTimeout === "CANCEL") st.canceled = true;
    }
    return this.response(st);
  }

  get(id: string): unknown {
    const st = this.find(id);
    const answer = this.response(st);
    st.polls += 1;
    return answer;
  }

  cancel(id: string): unknown {
    const st = this.find(id);
    const state = this.stateOf(st);
    if (state === "PENDING" || state === "RUNNING") st.canceled = true;
    return {};
  }

  chunk(id: string, index: number): unknown {
    const st = this.find(id);
    if (this.stateOf(st) !== "SUCCEEDED" || "message" in st.outcome)
      throw invalidParameter(`Statement ${id} has no result to fetch (state ${this.stateOf(st)}).`);
    const count = this.chunkCount(st, st.outcome);
    if (!Number.isInteger(index) || index < 0 || index >= count)
      throw invalidParameter(`Chunk index ${index} is out of range: the result has ${count} chunk(s).`);
    return this.resultData(st, st.outcome, index);
  }

  /** The body an EXTERNAL_LINKS URL serves, as cloud storage would (no Databricks auth). */
  externalChunk(id: string): { contentType: string; body: string } | undefined {
    const st = this.statements.get(id);
    if (!st || "message" in st.outcome) return undefined;
    const rows = this.limited(st, st.outcome).rows;
    if (st.format === "CSV") {
      const csv = [st.outcome.columns.map((c) => c.name), ...rows.map((r) => r.map((v) => (v === null ? "null" : v)))]
        .map((r) => r.map(csvCell).join(","))
        .join("\n");
      return { contentType: "text/csv", body: `${csv}\n` };
    }
    return { contentType: "application/json", body: JSON.stringify(rows) };
  }

  private find(id: string): Statement {
    const st = this.statements.get(id);
    if (!st) throw notFound("RESOURCE_DOES_NOT_EXIST", `Statement ${id} not found.`);
    return st;
  }

  private register(
    id: string,
    warehouse: WarehouseState,
    req: StatementRequest,
    outcome: Statement["outcome"],
    pendingPolls: number,
    runningPolls: number,
    executionMs: number,
  ): Statement {
    const st: Statement = {
      id,
      warehouse,
      polls: 0,
      pendingPolls,
      runningPolls,
      readyAt: Date.now() + executionMs,
      canceled: false,
      outcome,
      disposition: (req.disposition ?? "INLINE") as Statement["disposition"],
      format: (req.format ?? "JSON_ARRAY") as Statement["format"],
      ...(req.row_limit !== undefined ? { rowLimit: req.row_limit } : {}),
    };
    this.statements.set(id, st);
    return st;
  }

  /** PENDING for `pendingPolls` GETs, RUNNING for `runningPolls` more (and until readyAt), then the outcome. */
  private stateOf(st: Statement): State {
    if (st.canceled) return "CANCELED";
    if (st.polls < st.pendingPolls) return "PENDING";
    if (st.warehouse.state === "STARTING") st.warehouse.state = "RUNNING";
    if (st.polls < st.pendingPolls + st.runningPolls || Date.now() < st.readyAt) return "RUNNING";
    return "message" in st.outcome ? "FAILED" : "SUCCEEDED";
  }

  private response(st: Statement): unknown {
    const state = this.stateOf(st);
    if (state === "FAILED" && "message" in st.outcome) {
      const f = st.outcome;
      return {
        statement_id: st.id,
        status: { state, error: { error_code: f.errorCode ?? "BAD_REQUEST", message: f.message }, ...(f.sqlState ? { sql_state: f.sqlState } : {}) },
      };
    }
    if (state !== "SUCCEEDED" || "message" in st.outcome) return { statement_id: st.id, status: { state } };
    const result = this.limited(st, st.outcome);
    const chunks = this.chunkCount(st, st.outcome);
    const size = this.chunkRows(st);
    return {
      statement_id: st.id,
      status: { state },
      manifest: {
        format: st.format,
        schema: { column_count: result.columns.length, columns: result.columns.map((c, position) => ({ ...c, position })) },
        total_chunk_count: chunks,
        chunks: Array.from({ length: chunks }, (_, i) => ({
          chunk_index: i,
          row_offset: i * size,
          row_count: Math.min(size, result.rows.length - i * size),
        })),
        total_row_count: result.rows.length,
        truncated: result.truncated,
      },
      result: this.resultData(st, st.outcome, 0),
    };
  }

  /** INLINE results come in chunks of `sql.rowsPerChunk` rows (EXTERNAL_LINKS in one). */
  private chunkRows(st: Statement): number {
    return st.disposition === "INLINE" ? Math.max(1, this.state.sql.rowsPerChunk) : Number.MAX_SAFE_INTEGER;
  }

  private chunkCount(st: Statement, outcome: SqlResultSet): number {
    return Math.max(1, Math.ceil(this.limited(st, outcome).rows.length / this.chunkRows(st)));
  }

  private resultData(st: Statement, outcome: SqlResultSet, index: number) {
    const { rows } = this.limited(st, outcome);
    if (st.disposition === "INLINE") {
      const size = this.chunkRows(st);
      const part = rows.slice(index * size, (index + 1) * size);
      const last = index + 1 >= this.chunkCount(st, outcome);
      return {
        chunk_index: index,
        row_offset: index * size,
        row_count: part.length,
        data_array: part,
        ...(last ? {} : { next_chunk_index: index + 1, next_chunk_internal_link: `/api/2.0/sql/statements/${st.id}/result/chunks/${index + 1}` }),
      };
    }
    const body = this.externalChunk(st.id)!.body;
    return {
      external_links: [
        {
          chunk_index: 0,
          row_offset: 0,
          row_count: rows.length,
          byte_count: Buffer.byteLength(body),
          external_link: `${this.baseUrl()}/_fake_cloud_storage/statements/${st.id}/chunks/0`,
          expiration: new Date(Date.now() + 15 * 60_000).toISOString(),
          http_headers: {},
        },
      ],
    };
  }

  private limited(st: Statement, outcome: SqlResultSet): SqlResultSet & { truncated: boolean } {
    if (st.rowLimit === undefined || outcome.rows.length <= st.rowLimit) return { ...outcome, truncated: false };
    return { ...outcome, rows: outcome.rows.slice(0, st.rowLimit), truncated: true };
  }

  private run(statement: string, catalog?: string, schema?: string): SqlResultSet | StatementFailure {
    for (const handler of this.state.sql.handlers) {
      const answer = handler(statement, { state: this.state, ...(catalog ? { catalog } : {}), ...(schema ? { schema } : {}) });
      if (answer) return answer;
    }
    const describe = /^\s*DESC(?:RIBE)?\s+DETAIL\s+(.+?)\s*;?\s*$/is.exec(statement);
    if (describe) return this.describeDetail(describe[1]!, catalog, schema);
    const tags = selectTags(this.state, statement);
    if (tags) return tags;
    if (/^\s*SELECT\s+1\s*;?\s*$/i.test(statement)) return { columns: [{ name: "1", type_name: "INT", type_text: "INT" }], rows: [["1"]] };
    return {
      message: `[FAKE_UNSUPPORTED_STATEMENT] The fake workspace does not implement this statement: ${statement.slice(0, 200)}`,
      errorCode: "BAD_REQUEST",
      sqlState: "0A000",
    };
  }

  private describeDetail(target: string, catalog?: string, schema?: string): SqlResultSet | StatementFailure {
    const names = parseIdentifier(target);
    if (!names) return { message: `[PARSE_SYNTAX_ERROR] Syntax error at or near '${target}'. SQLSTATE: 42601`, errorCode: "BAD_REQUEST", sqlState: "42601" };
    const [c, s, t] =
      names.length === 3 ? names : names.length === 2 ? [catalog ?? "hive_metastore", ...names] : [catalog ?? "hive_metastore", schema ?? "default", ...names];
    const quoted = `\`${c}\`.\`${s}\`.\`${t}\``;
    const fullName = `${c}.${s}.${t}`;
    const configured = this.state.sql.failTables.get(fullName);
    if (configured) return configured;
    const table = this.state.catalogs.get(c!)?.schemas.get(s!)?.tables.get(t!);
    if (!table) {
      return {
        message: `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${quoted} cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42P01`,
        errorCode: "BAD_REQUEST",
        sqlState: "42P01",
      };
    }
    if (table.table_type === "VIEW" || table.table_type === "METRIC_VIEW") {
      return {
        message: `[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] 'DESCRIBE DETAIL' expects a table but ${quoted} is a view. SQLSTATE: 42809`,
        errorCode: "BAD_REQUEST",
        sqlState: "42809",
      };
    }
    return describeDetailResult(fullName, table);
  }
}

const DETAIL_COLUMNS: SqlResultSet["columns"] = [
  ["format", "STRING", "STRING"],
  ["id", "STRING", "STRING"],
  ["name", "STRING", "STRING"],
  ["description", "STRING", "STRING"],
  ["location", "STRING", "STRING"],
  ["createdAt", "TIMESTAMP", "TIMESTAMP"],
  ["lastModified", "TIMESTAMP", "TIMESTAMP"],
  ["partitionColumns", "ARRAY", "ARRAY<STRING>"],
  ["clusteringColumns", "ARRAY", "ARRAY<STRING>"],
  ["numFiles", "LONG", "BIGINT"],
  ["sizeInBytes", "LONG", "BIGINT"],
  ["properties", "MAP", "MAP<STRING, STRING>"],
  ["minReaderVersion", "INT", "INT"],
  ["minWriterVersion", "INT", "INT"],
  ["tableFeatures", "ARRAY", "ARRAY<STRING>"],
  ["statistics", "MAP", "MAP<STRING, BIGINT>"],
].map(([name, type_name, type_text]) => ({ name: name!, type_name: type_name!, type_text: type_text! }));

/** One row; JSON_ARRAY carries every value as its string form (arrays and maps as JSON). */
export function describeDetailResult(fullName: string, table: TableState): SqlResultSet {
  const d = table.detail;
  return {
    columns: DETAIL_COLUMNS,
    rows: [
      [
        (table.data_source_format ?? "DELTA").toLowerCase(),
        table.table_id,
        fullName,
        table.comment ?? null,
        table.storage_location ?? null,
        new Date(table.created_at).toISOString(),
        new Date(d.lastModified).toISOString(),
        JSON.stringify(d.partitionColumns),
        JSON.stringify(d.clusteringColumns),
        String(d.numFiles),
        String(d.sizeInBytes),
        JSON.stringify(d.properties),
        String(d.minReaderVersion),
        String(d.minWriterVersion),
        JSON.stringify(d.tableFeatures),
        JSON.stringify({ numRowsDeletedByDeletionVectors: 0, numDeletionVectors: 0 }),
      ],
    ],
  };
}

/** `a.b.c`, with any part in backticks (a doubled backtick escapes one); undefined if malformed. */
export function parseIdentifier(text: string): string[] | undefined {
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    let name = "";
    if (text[i] === "`") {
      i += 1;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === "`") {
          if (text[i + 1] === "`") {
            name += "`";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        name += text[i];
        i += 1;
      }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(text.slice(i));
      if (!m) return undefined;
      name = m[0];
      i += name.length;
    }
    names.push(name);
    if (i === text.length) break;
    if (text[i] !== ".") return undefined;
    i += 1;
    if (i === text.length) return undefined;
  }
  return names.length >= 1 && names.length <= 3 ? names : undefined;
}

function parseWaitTimeout(raw: string): number {
  const m = /^(\d+)s$/.exec(raw);
  const seconds = m ? Number(m[1]) : Number.NaN;
  if (!(seconds === 0 || (seconds >= 5 && seconds <= 50))) throw invalidParameter(`wait_timeout must be 0s or between 5s and 50s, got '${raw}'.`);
  return seconds;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function isTerminal(state: State): boolean {
  return state !== "PENDING" && state !== "RUNNING";
}

/** The tag views of `system.information_schema`, with their columns, read from the workspace state. */
const TAG_VIEWS: Record<string, { keys: string[]; rows: (state: WorkspaceState) => Array<Array<string>> }> = {
  catalog_tags: {
    keys: ["catalog_name"],
    rows: (state) => [...state.catalogs.values()].flatMap((c) => tagRows([c.name], c.tags)),
  },
  schema_tags: {
    keys: ["catalog_name", "schema_name"],
    rows: (state) => [...state.catalogs.values()].flatMap((c) => [...c.schemas.values()].flatMap((s) => tagRows([c.name, s.name], s.tags))),
  },
  table_tags: {
    keys: ["catalog_name", "schema_name", "table_name"],
    rows: (state) => eachSchema(state).flatMap(([c, s]) => [...s.tables.values()].flatMap((t) => tagRows([c.name, s.name, t.name], t.tags))),
  },
  column_tags: {
    keys: ["catalog_name", "schema_name", "table_name", "column_name"],
    rows: (state) =>
      eachSchema(state).flatMap(([c, s]) =>
        [...s.tables.values()].flatMap((t) => t.columns.flatMap((col) => tagRows([c.name, s.name, t.name, col.name], col.tags))),
      ),
  },
  volume_tags: {
    keys: ["catalog_name", "schema_name", "volume_name"],
    rows: (state) => eachSchema(state).flatMap(([c, s]) => [...s.volumes.values()].flatMap((v) => tagRows([c.name, s.name, v.name], v.tags))),
  },
};

function eachSchema(state: WorkspaceState) {
  return [...state.catalogs.values()].flatMap((c) => [...c.schemas.values()].map((s) => [c, s] as const));
}

function tagRows(keys: string[], tags: Record<string, string> | undefined): string[][] {
  return Object.entries(tags ?? {}).map(([name, value]) => [...keys, name, value]);
}

/**
 * `SELECT <columns> FROM system.information_schema.<view>_tags [ORDER BY <columns>] [LIMIT n [OFFSET m]]`,
 * the subset of Databricks SQL a client needs to read every tag of the metastore in pages.
 */
function selectTags(state: WorkspaceState, statement: string): SqlResultSet | StatementFailure | undefined {
  const m =
    /^\s*SELECT\s+(.+?)\s+FROM\s+system\.information_schema\.(\w+)(?:\s+ORDER\s+BY\s+(.+?))?(?:\s+LIMIT\s+(\d+)(?:\s+OFFSET\s+(\d+))?)?\s*;?\s*$/is.exec(
      statement,
    );
  if (!m) return undefined;
  const view = TAG_VIEWS[m[2]!.toLowerCase()];
  if (!view)
    return {
      message: `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`system\`.\`information_schema\`.\`${m[2]}\` cannot be found. SQLSTATE: 42P01`,
      errorCode: "BAD_REQUEST",
      sqlState: "42P01",
    };
  const all = [...view.keys, "tag_name", "tag_value"];
  const list = (text: string) => text.split(",").map((c) => c.trim().toLowerCase());
  const selected = list(m[1]!);
  const order = m[3] ? list(m[3]) : [];
  const unknown = [...selected, ...order].find((c) => !all.includes(c));
  if (unknown)
    return {
      message: `[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name \`${unknown}\` cannot be resolved. SQLSTATE: 42703`,
      errorCode: "BAD_REQUEST",
      sqlState: "42703",
    };
  let rows = view.rows(state);
  if (order.length) {
    const at = order.map((c) => all.indexOf(c));
    rows = rows.sort((a, b) => {
      for (const i of at) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
      return 0;
    });
  }
  const offset = m[5] ? Number(m[5]) : 0;
  rows = rows.slice(offset, m[4] ? offset + Number(m[4]) : undefined);
  return {
    columns: selected.map((name) => ({ name, type_name: "STRING", type_text: "STRING" })),
    rows: rows.map((r) => selected.map((c) => r[all.indexOf(c)] ?? null)),
  };
}
