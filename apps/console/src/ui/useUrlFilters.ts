import { type FormEvent, useState } from "react";
import { useSearchParams } from "react-router";

export type FilterValues<F extends string> = Partial<Record<F, string>>;

/**
 * A list's filters, kept in the page's address so a filtered list can be shared and survives a
 * reload: `applied` is what the list shows, `draft` what the form holds until it is submitted.
 * `defaults` apply while the address names no filter at all; a field the form leaves empty is
 * then written as empty ("any"), so the default does not come back.
 */
export function useUrlFilters<F extends string>(fields: readonly F[], defaults: FilterValues<F> = {}) {
  const [search, setSearch] = useSearchParams();
  const named = Object.fromEntries(fields.flatMap((f) => (search.get(f) ? [[f, search.get(f)!]] : []))) as FilterValues<F>;
  const applied = search.size ? named : defaults;
  const [draft, setDraft] = useState<FilterValues<F>>(applied);
  const set = (field: F) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: event.target.value }));
  const apply = (event?: FormEvent) => {
    event?.preventDefault();
    const next = new URLSearchParams();
    for (const f of fields) if (draft[f]) next.set(f, draft[f]!);
    for (const f of Object.keys(defaults) as F[]) if (!draft[f]) next.set(f, "");
    setSearch(next);
  };
  const clear = () => {
    setDraft({});
    setSearch(new URLSearchParams());
  };
  return { search, applied, draft, set, apply, clear };
}
