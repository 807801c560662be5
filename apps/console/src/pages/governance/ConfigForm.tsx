import { useId } from "react";
import { SelectField, TextField } from "../../ui/fields";

/** The parts of JSON Schema the built-ins' configs use (the gateway derives it from their zod schemas). */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  description?: string;
}

type Config = Record<string, unknown>;
const label = (key: string) => key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** A "all, or a list" choice (anyOf [const "all", array]) as the schema says it. */
function allOrList(schema: JsonSchema): JsonSchema | undefined {
  const [a, b] = schema.anyOf ?? [];
  if (schema.anyOf?.length === 2 && a?.const === "all" && b?.type === "array") return b;
  return undefined;
}

/**
 * A built-in's config as a form drawn from its JSON Schema: numbers, switches, choices, lists (one
 * entry a line), "all or these"; anything else as JSON. The gateway checks the result with the
 * same schema and its field errors come back to the field they name.
 */
export function ConfigForm({
  schema,
  value,
  onChange,
  errors,
}: {
  schema: JsonSchema;
  value: Config;
  onChange: (next: Config) => void;
  errors: Record<string, string>;
}) {
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) return <p className="muted">This policy has nothing to configure.</p>;
  return (
    <>
      {entries.map(([key, field]) => (
        <ConfigField
          key={key}
          name={key}
          schema={field}
          value={value[key] === undefined ? field.default : value[key]}
          error={errors[`config.${key}`] ?? Object.entries(errors).find(([k]) => k.startsWith(`config.${key}.`))?.[1]}
          onChange={(v) => onChange({ ...value, [key]: v })}
        />
      ))}
    </>
  );
}

function ConfigField({
  name,
  schema,
  value,
  error,
  onChange,
}: {
  name: string;
  schema: JsonSchema;
  value: unknown;
  error?: string;
  onChange: (v: unknown) => void;
}) {
  const id = useId();
  const list = allOrList(schema);
  const hint = [schema.description, range(schema)].filter(Boolean).join(" ");
  if (schema.type === "number" || schema.type === "integer")
    return (
      <TextField
        label={label(name)}
        type="number"
        inputMode="decimal"
        step={schema.type === "integer" ? 1 : "any"}
        min={schema.minimum}
        max={schema.maximum}
        hint={hint || undefined}
        error={error}
        value={value === undefined || value === null ? "" : String(value)}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    );
  if (schema.type === "boolean")
    return (
      <div className="field field-checkbox">
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        <label htmlFor={id}>{label(name)}</label>
      </div>
    );
  if (schema.type === "string" && schema.enum)
    return (
      <SelectField label={label(name)} value={String(value ?? "")} error={error} onChange={(e) => onChange(e.target.value)}>
        {schema.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </SelectField>
    );
  if (schema.type === "string")
    return <TextField label={label(name)} hint={hint || undefined} error={error} value={String(value ?? "")} onChange={(e) => onChange(e.target.value)} />;
  if (list || (schema.type === "array" && (schema.items?.type === "string" || schema.items?.enum))) {
    const items = list ?? schema;
    const all = list && value === "all";
    const choices = items.items?.enum ? `One of: ${items.items.enum.join(", ")}.` : "";
    return (
      <fieldset className={error ? "field-invalid" : undefined}>
        <legend>{label(name)}</legend>
        {list ? (
          <div className="field field-checkbox">
            <input id={`${id}-all`} type="checkbox" checked={!!all} onChange={(e) => onChange(e.target.checked ? "all" : [])} />
            <label htmlFor={`${id}-all`}>All</label>
          </div>
        ) : null}
        {all ? null : (
          <div className="field">
            <label htmlFor={id}>{list ? "These only, one a line" : "One a line"}</label>
            {choices ? (
              <div className="hint" id={`${id}-hint`}>
                {choices}
              </div>
            ) : null}
            <textarea
              id={id}
              rows={3}
              aria-describedby={choices ? `${id}-hint` : undefined}
              value={Array.isArray(value) ? value.join("\n") : ""}
              onChange={(e) => onChange(lines(e.target.value))}
            />
          </div>
        )}
        {error ? <div className="error-text">{error}</div> : null}
      </fieldset>
    );
  }
  return <JsonField name={name} value={value} error={error} onChange={onChange} />;
}

/** What the form cannot draw (maps of prices…) is edited as JSON; a value that does not parse stays text for the gateway to refuse. */
function JsonField({ name, value, error, onChange }: { name: string; value: unknown; error?: string; onChange: (v: unknown) => void }) {
  const id = useId();
  const text = typeof value === "string" ? value : JSON.stringify(value ?? {}, null, 2);
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>{label(name)} (JSON)</label>
      <textarea
        id={id}
        rows={4}
        defaultValue={text}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          try {
            onChange(JSON.parse(e.target.value));
          } catch {
            onChange(e.target.value);
          }
        }}
      />
      {error ? <div className="error-text">{error}</div> : null}
    </div>
  );
}

function range(schema: JsonSchema): string {
  const low = schema.minimum ?? schema.exclusiveMinimum;
  if (low !== undefined && schema.maximum !== undefined) return `From ${low} to ${schema.maximum}.`;
  if (schema.exclusiveMinimum !== undefined) return `More than ${schema.exclusiveMinimum}.`;
  if (low !== undefined) return `At least ${low}.`;
  return "";
}
