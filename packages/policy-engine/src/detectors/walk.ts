import { isTruncatedPayload, type PolicyInput } from "../document.ts";
import { childPath } from "../paths.ts";

// Every string a policy should scan, with where it came from. Object keys are not scanned (they
// are schema, not data); numbers are not either (a card number stored as a JSON number has already
// lost digits to float precision).

export interface TextField {
  path: string;
  spanId: string | null;
  text: string;
  /** From the preview of a payload the sync truncated: its end may be cut mid-value. */
  truncated: boolean;
}

/** A hit that comes from the shape of an object rather than from text. */
export interface StructuralHit {
  detector: string;
  path: string;
  spanId: string | null;
  masked: string;
  confidence: number;
}

export interface CollectedFields {
  fields: TextField[];
  structural: StructuralHit[];
}

const MAX_DEPTH = 64;

function isServiceAccountKey(value: Record<string, unknown>): boolean {
  return value.type === "service_account" && typeof value.private_key === "string";
}

function safeStringify(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

export function collectTextFields(input: PolicyInput): CollectedFields {
  const fields: TextField[] = [];
  const structural: StructuralHit[] = [];

  const visit = (value: unknown, path: string, spanId: string | null, depth: number): void => {
    if (typeof value === "string") {
      if (value.length > 0) fields.push({ path, spanId, text: value, truncated: false });
      return;
    }
    if (typeof value !== "object" || value === null) return;
    if (depth > MAX_DEPTH) {
      // Nesting this deep is unusual; scan what is left as one text rather than not at all, so
      // depth cannot be used to hide a value.
      const rest = safeStringify(value);
      if (rest) fields.push({ path, spanId, text: rest, truncated: false });
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], childPath(path, i), spanId, depth + 1);
      return;
    }
    if (isTruncatedPayload(value)) {
      fields.push({ path: childPath(path, "preview"), spanId, text: value.preview, truncated: true });
      return;
    }
    const record = value as Record<string, unknown>;
    const serviceAccount = isServiceAccountKey(record);
    if (serviceAccount) {
      const email = typeof record.client_email === "string" ? ` ${record.client_email.replace(/^[^@]*/, "***")}` : "";
      structural.push({ detector: "gcp_service_account", path, spanId, masked: `service_account${email} private_key …`, confidence: 0.98 });
    }
    for (const key in record) {
      if (serviceAccount && key === "private_key") continue; // reported once, as the key file
      visit(record[key], childPath(path, key), spanId, depth + 1);
    }
  };

  const { trace } = input;
  visit(trace.input, "trace.input", null, 0);
  visit(trace.output, "trace.output", null, 0);
  visit(trace.metadata, "trace.metadata", null, 0);
  visit(trace.tags, "trace.tags", null, 0);
  input.observations.forEach((o, i) => {
    const base = `observations[${i}]`;
    visit(o.input, `${base}.input`, o.id, 0);
    visit(o.output, `${base}.output`, o.id, 0);
    visit(o.attributes, `${base}.attributes`, o.id, 0);
    visit(o.statusMessage, `${base}.statusMessage`, o.id, 0);
  });
  return { fields, structural };
}
