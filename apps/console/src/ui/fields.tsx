import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from "react";

interface FieldProps {
  label: ReactNode;
  /** Help text under the label, read with the field. */
  hint?: ReactNode;
  /** What is wrong with the value, shown and announced with the field. */
  error?: string | undefined;
}

/** Ids tying a control to its help and its error, so a screen reader reads them with it. */
function useField(id: string | undefined, { hint, error }: Pick<FieldProps, "hint" | "error">) {
  const auto = useId();
  const fieldId = id ?? auto;
  const describedBy = [hint ? `${fieldId}-hint` : null, error ? `${fieldId}-error` : null].filter(Boolean).join(" ") || undefined;
  return {
    fieldId,
    control: { id: fieldId, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy },
    className: (...extra: string[]) => ["field", ...extra, error ? "field-invalid" : ""].filter(Boolean).join(" "),
  };
}

function Hint({ id, children }: { id: string; children: ReactNode }) {
  return children ? (
    <div className="hint" id={`${id}-hint`}>
      {children}
    </div>
  ) : null;
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <div className="error-text" id={`${id}-error`}>
      {error}
    </div>
  ) : null;
}

export function TextField({ label, hint, error, id, className, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const field = useField(id, { hint, error });
  return (
    <div className={field.className(className ?? "")}>
      <label htmlFor={field.fieldId}>
        {label}
        {input.required ? <span className="required"> (required)</span> : null}
      </label>
      <Hint id={field.fieldId}>{hint}</Hint>
      <input {...field.control} {...input} />
      <FieldError id={field.fieldId} error={error} />
    </div>
  );
}

export function SelectField({ label, hint, error, id, children, ...select }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const field = useField(id, { hint, error });
  return (
    <div className={field.className()}>
      <label htmlFor={field.fieldId}>{label}</label>
      <Hint id={field.fieldId}>{hint}</Hint>
      <select {...field.control} {...select}>
        {children}
      </select>
      <FieldError id={field.fieldId} error={error} />
    </div>
  );
}

export function CheckboxField({ label, hint, error, id, ...input }: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, "type">) {
  const field = useField(id, { hint, error });
  return (
    <div className={field.className("field-checkbox")}>
      <input type="checkbox" {...field.control} {...input} />
      <div>
        <label htmlFor={field.fieldId}>{label}</label>
        <Hint id={field.fieldId}>{hint}</Hint>
        <FieldError id={field.fieldId} error={error} />
      </div>
    </div>
  );
}
