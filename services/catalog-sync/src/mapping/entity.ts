import { type Alteration, sanitizeForPostgres, visible } from "@langguard/exact-json";
import { parseFullName, quoteFullName } from "@langguard/unity-catalog";

export type CatalogKind = "catalog" | "schema" | "table" | "volume" | "function" | "model" | "servingEndpoint" | "genieSpace";
/** Workspace-wide objects outside Unity Catalog's tree: one part names them, and they have no catalog ("" as catalogName). */
export const WORKSPACE_KINDS: ReadonlySet<string> = new Set(["servingEndpoint", "genieSpace"]);

export interface ColumnRow {
  name: string;
  position: number;
  typeText: string | null;
  typeName: string | null;
  nullable: boolean | null;
  comment: string | null;
  tags: unknown;
}

export interface CatalogRow {
  kind: CatalogKind;
  /** As Databricks SQL quotes it (a part holding a dot is in backticks): unique per integration and kind. */
  fullName: string;
  name: string;
  catalogName: string;
  schemaName: string | null;
  owner: string | null;
  comment: string | null;
  properties: Record<string, unknown>;
  tags: unknown;
  /** The tag lookup failed: the stored tags stay, marked stale. */
  tagsFailed: boolean;
  details: Record<string, unknown>;
  sourceCreatedAt: string | null;
  sourceUpdatedAt: string | null;
  contentHash: string;
  columns: ColumnRow[] | null;
  /** Where the stored object differs from the source's: values Postgres could not store as they were. */
  alterations: Alteration[];
}

/** A record that cannot be stored: it is set aside, named in the run, and blocks nothing else. */
export class CatalogMappingError extends Error {
  constructor(
    message: string,
    /** The object's kind and full name when the record told them ("record" and "" when it did not). */
    readonly kind = "record",
    readonly fullName = "",
    readonly errorKind = "bad_response",
  ) {
    super(message);
  }
}

const KINDS = new Set(["catalog", "schema", "table", "volume", "function", "model", "servingEndpoint", "genieSpace"]);
const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);
const time = (v: unknown): string | null => (typeof v === "number" && Number.isFinite(v) && v > 0 && v < 8.64e15 ? new Date(v).toISOString() : null);
const object = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Names a workspace wrote for the objects something uses (a Genie space's tables, a serving
 * endpoint's model and inference table), in our one spelling, so that they meet the entities of
 * those names: Databricks SQL may quote any part (`main`.`sales`.orders is main.sales.orders).
 * A name that is not a full name is kept as written.
 */
function ourSpelling(names: unknown): unknown {
  if (!Array.isArray(names)) return names;
  return names.map((n) => {
    const parts = typeof n === "string" ? parseFullName(n) : null;
    return parts ? quoteFullName(parts) : n;
  });
}

function withOurSpelling(details: Record<string, unknown>): Record<string, unknown> {
  const out = { ...details };
  for (const key of ["tables", "models"]) if (key in out) out[key] = ourSpelling(out[key]);
  return out;
}

/** The name parts of a record: [catalog], [catalog, schema] or [catalog, schema, name]. */
export function partsOf(kind: string, data: Record<string, unknown>): string[] | null {
  const name = str(data.name);
  if (!name) return null;
  if (kind === "catalog" || WORKSPACE_KINDS.has(kind)) return [name];
  const catalog = str(data.catalog);
  if (!catalog) return null;
  if (kind === "schema") return [catalog, name];
  const schema = str(data.schema);
  return schema ? [catalog, schema, name] : null;
}

/**
 * What keeps a name from being stored as it is (a NUL, an unpaired surrogate), or null. Such a
 * name is never cleaned: without the NUL, `a\0b` would be `ab`, another object's name, and a sync
 * would merge into or delete the wrong one.
 */
export function unstorableIn(parts: string[]): string | null {
  const bad = parts.find((part) => sanitizeForPostgres(part).value !== part);
  if (bad === undefined) return null;
  return bad.includes("\u0000") ? "a NUL character" : "an unpaired UTF-16 surrogate";
}

/**
 * A column's position as the source gave it, when a Postgres integer holds it: one beyond 32 bits
 * (the API declares int32; a broken server need not keep to it) would fail its whole batch, so the
 * column keeps its place in the listing instead, and says so.
 */
function columnPosition(given: unknown, index: number, alterations: Alteration[]): number {
  if (given === undefined || given === null) return index;
  if (Number.isInteger(given) && Math.abs(given as number) < 2 ** 31) return given as number;
  alterations.push({ path: `columns[${index}].position`, change: "out-of-range" });
  return index;
}

/**
 * One bridge record to our row; `digest` (of the record's line) is the content hash. An `unclean`
 * record (its line holds a NUL or a lone surrogate escape) has those removed or replaced, and each
 * change is listed in the row's alterations.
 */
export function mapCatalogRecord(source: Record<string, unknown>, digest: string, unclean = false): CatalogRow {
  const kind = source.kind as CatalogKind;
  if (!KINDS.has(kind)) throw new CatalogMappingError(`unknown catalog record kind ${JSON.stringify(source.kind)}`);
  const parts = partsOf(kind, source);
  if (!parts) throw new CatalogMappingError(`a ${kind} record without its name`);
  const unstorable = unstorableIn(parts);
  if (unstorable)
    throw new CatalogMappingError(
      `set aside: its name holds ${unstorable}, which Postgres cannot store, and the name without it could be another object's`,
      kind,
      quoteFullName(parts.map(visible)),
      "set_aside",
    );
  const alterations: Alteration[] = [];
  const data = unclean ? sanitizeForPostgres(source, alterations).value : source;
  const {
    kind: _k,
    name: _n,
    catalog: _c,
    schema: _s,
    fullName: _f,
    owner,
    comment,
    properties,
    tags,
    tagsFailed,
    createdAt,
    updatedAt,
    columns,
    ...details
  } = data;
  const used = new Set<string>();
  return {
    kind,
    fullName: quoteFullName(parts),
    name: parts.at(-1)!,
    catalogName: WORKSPACE_KINDS.has(kind) ? "" : parts[0]!,
    schemaName: parts.length === 3 ? parts[1]! : null,
    owner: str(owner),
    comment: str(comment),
    properties: object(properties),
    tags: tags ?? null,
    tagsFailed: tagsFailed === true,
    details: withOurSpelling(details),
    sourceCreatedAt: time(createdAt),
    sourceUpdatedAt: time(updatedAt),
    contentHash: digest,
    columns: Array.isArray(columns)
      ? columns.map((c, i) => {
          const col = object(c);
          // Two columns of one name (a cleaned name meeting its neighbour's) both stay: the later keeps a visible suffix.
          let name = str(col.name) ?? `#${i}`;
          if (used.has(name)) alterations.push({ path: `columns[${i}].name`, change: "key-rewritten" });
          while (used.has(name)) name += "\uFFFD";
          used.add(name);
          return {
            name,
            position: columnPosition(col.position, i, alterations),
            typeText: str(col.typeText),
            typeName: str(col.typeName),
            nullable: typeof col.nullable === "boolean" ? col.nullable : null,
            comment: str(col.comment),
            tags: col.tags ?? null,
          };
        })
      : null,
    alterations,
  };
}
