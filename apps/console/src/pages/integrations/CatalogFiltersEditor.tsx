import { useEffect, useId, useState } from "react";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { catalogFiltersOf, type FilterText, LEVELS } from "./form";

const LEVEL_LABEL = { catalogs: "Catalogs", schemas: "Schemas", tables: "Tables" } as const;
const LEVEL_EXAMPLE = { catalogs: "main", schemas: "main\\.sales", tables: "main\\.sales\\..*" } as const;

type Problems = Record<string, string[]>;

/**
 * Include and exclude patterns per level, one regular expression per line, checked by the gateway
 * as they are typed (the same check as when saving). `onValidity` tells the form whether saving may go on.
 */
export function CatalogFiltersEditor({
  value,
  onChange,
  onValidity,
}: {
  value: FilterText;
  onChange: (next: FilterText) => void;
  onValidity: (ok: boolean) => void;
}) {
  const id = useId();
  const [problems, setProblems] = useState<Problems>({});
  const [checking, setChecking] = useState(false);
  const key = JSON.stringify(value);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for value.
  useEffect(() => {
    const filters = catalogFiltersOf(value);
    const controller = new AbortController();
    setChecking(true);
    const timer = setTimeout(() => {
      unwrap(api.POST("/api/integrations/catalog-filters/check", { body: { catalogFilters: filters }, signal: controller.signal }))
        .then((result) => {
          const next: Problems = {};
          for (const issue of result.issues) {
            // body.catalogFilters.include.catalogs.2 → the include/catalogs box, its third line.
            const [, , side, level, index] = issue.field.split(".");
            const box = `${side}.${level}`;
            const line = index !== undefined ? lineOf(value, side, level, Number(index)) : null;
            (next[box] ??= []).push(line ? `Line ${line}: ${issue.reason}` : issue.reason);
          }
          setProblems(next);
          setChecking(false);
          onValidity(result.valid);
        })
        .catch(() => {
          if (!controller.signal.aborted) setChecking(false);
        });
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);

  return (
    <fieldset className="filters">
      <legend>Catalog filters</legend>
      <p className="hint" id={`${id}-help`}>
        Regular expressions matched against whole names, one per line: a catalog is <code>main</code>, a schema <code>main.sales</code>, a table{" "}
        <code>main.sales.orders</code>. Leave a box empty to include everything at that level. <code>information_schema</code> is left out unless included by
        name.
      </p>
      <div className="filters-grid">
        {(["include", "exclude"] as const).map((side) =>
          LEVELS.map((level) => {
            const boxId = `${id}-${side}-${level}`;
            const errors = problems[`${side}.${level}`];
            return (
              <div key={boxId} className={["field", errors ? "field-invalid" : ""].join(" ")}>
                <label htmlFor={boxId}>
                  {side === "include" ? "Include" : "Exclude"} {LEVEL_LABEL[level].toLowerCase()}
                </label>
                <textarea
                  id={boxId}
                  rows={2}
                  spellCheck={false}
                  placeholder={`e.g. ${LEVEL_EXAMPLE[level]}`}
                  value={value[side][level]}
                  aria-invalid={errors ? true : undefined}
                  aria-describedby={[`${id}-help`, errors ? `${boxId}-error` : ""].join(" ").trim()}
                  onChange={(e) => onChange({ ...value, [side]: { ...value[side], [level]: e.target.value } })}
                />
                {errors ? (
                  <div className="error-text" id={`${boxId}-error`}>
                    {errors.join("; ")}
                  </div>
                ) : null}
              </div>
            );
          }),
        )}
      </div>
      <p className="muted" aria-live="polite">
        {checking ? "Checking the patterns…" : Object.keys(problems).length ? "Some patterns need fixing." : "The patterns are valid."}
      </p>
    </fieldset>
  );
}

/** The 1-based line of the nth non-empty pattern in a box (empty lines are not sent). */
function lineOf(value: FilterText, side: string | undefined, level: string | undefined, index: number): number | null {
  const text = (value as Record<string, Record<string, string>>)[side ?? ""]?.[level ?? ""];
  if (text === undefined) return null;
  let seen = -1;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i]!.trim()) seen += 1;
    if (seen === index) return i + 1;
  }
  return null;
}
