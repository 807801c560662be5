export type CatalogKind = "catalog" | "schema" | "table" | "volume" | "function" | "model";

export interface CatalogRow {
  kind: CatalogKind;
  fullName: string;
  name: string;
  container: string;
  catalogName: string;
  schemaName: string | null;
  owner: string | null;
  comment: string | null;
  properties: Record<string, unknown>;
  tags: unknown;
  details: Record<string, unknown>;
  sourceCreatedAt: string | null;
  sourceUpdatedAt: string | null;
  contentHash: string;
  columns: Array<{ name: string; position: number; typeText: string | null; typeName: string | null; nullable: boolean | null; comment: string | null }> | null;
}

export class CatalogMappingError extends Error {}

const KINDS = new Set(["catalog", "schema", "table", "volume", "function", "model"]);
const str = (v: unknown): string | null => (typeof v === "string" ? v.replaceAll("\u0000", "") : typeof v === "number" ? String(v) : null);
const time = (v: unknown): string | null => (typeof v === "number" && Number.isFinite(v) && v > 0 && v < 8.64e15 ? new Date(v).toISOString() : null);
const object = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The listing a record belongs to, named as the bridge names its checkpoints. */
export function containerOf(kind: CatalogKind, catalog: string, schema: string | null): string {
  if (kind === "catalog") return "catalogs:";
  if (kind === "schema") return `schemas:${catalog}`;
  return `${kind}s:${catalog}.${schema}`;
}

/** One bridge record to our row; `digest` (of the record's line) is the content hash. */
export function mapCatalogRecord(data: Record<string, unknown>, digest: string): CatalogRow {
  const kind = data.kind as CatalogKind;
  if (!KINDS.has(kind)) throw new CatalogMappingError(`unknown catalog record kind ${JSON.stringify(data.kind)}`);
  const name = str(data.name);
  const catalogName = kind === "catalog" ? name : str(data.catalog);
  const schemaName = kind === "catalog" || kind === "schema" ? null : str(data.schema);
  if (!name || !catalogName || (kind !== "catalog" && kind !== "schema" && !schemaName)) throw new CatalogMappingError(`a ${kind} record without its name`);
  const fullName = kind === "catalog" ? name : (str(data.fullName) ?? [catalogName, schemaName, name].filter(Boolean).join("."));
  const { kind: _k, name: _n, catalog: _c, schema: _s, fullName: _f, owner, comment, properties, tags, createdAt, updatedAt, columns, ...details } = data;
  return {
    kind,
    fullName,
    name,
    container: containerOf(kind, catalogName, schemaName),
    catalogName,
    schemaName,
    owner: str(owner),
    comment: str(comment),
    properties: object(properties),
    tags: tags ?? null,
    details,
    sourceCreatedAt: time(createdAt),
    sourceUpdatedAt: time(updatedAt),
    contentHash: digest,
    columns: Array.isArray(columns)
      ? columns.map((c, i) => {
          const col = object(c);
          return {
            name: str(col.name) ?? `#${i}`,
            position: typeof col.position === "number" ? col.position : i,
            typeText: str(col.typeText),
            typeName: str(col.typeName),
            nullable: typeof col.nullable === "boolean" ? col.nullable : null,
            comment: str(col.comment),
          };
        })
      : null,
  };
}
