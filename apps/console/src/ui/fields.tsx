import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from "react";

interface FieldProps {
  label: ReactNode;
  /** Help text under the label, read with the field. */
  hint?: ReactNode;
  /** What is wrong with the value, shown and announced with the field. */
  error?: string | undefined;
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown) {
  return [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
}

export function TextField({ label, hint, error, id, className, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId();
  const fieldId = id ?? auto;
  return (
    <div className={["field", error ? "field-invalid" : "", className].filter(Boolean).join(" ")}>
      <label htmlFor={fieldId}>
        {label}
        {input.required ? <span className="required"> (required)</span> : null}
      </label>
      {hint ? (
        <div className="hint" id={`${fieldId}-hint`}>
          {hint}
        </div>
      ) : null}
      <input
        id={fieldId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${fieldId}-hint`, `${fieldId}-error`, hint, error)}
        {...input}
      />
      {error ? (
        <div className="error-text" id={`${fieldId}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function SelectField({ label, hint, error, id, children, ...select }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const auto = useId();
  const fieldId = id ?? auto;
  return (
    <div className={["field", error ? "field-invalid" : ""].filter(Boolean).join(" ")}>
      <label htmlFor={fieldId}>{label}</label>
      {hint ? (
        <div className="hint" id={`${fieldId}-hint`}>
          {hint}
        </div>
      ) : null}
      <select
        id={fieldId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${fieldId}-hint`, `${fieldId}-error`, hint, error)}
        {...select}
      >
        {children}
      </select>
      {error ? (
        <div className="error-text" id={`${fieldId}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function CheckboxField({ label, hint, error, id, ...input }: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, "type">) {
  const auto = useId();
  const fieldId = id ?? auto;
  return (
    <div className={["field", "field-checkbox", error ? "field-invalid" : ""].filter(Boolean).join(" ")}>
      <input
        type="checkbox"
        id={fieldId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${fieldId}-hint`, `${fieldId}-error`, hint, error)}
        {...input}
      />
      <div>
        <label htmlFor={fieldId}>{label}</label>
        {hint ? (
          <div className="hint" id={`${fieldId}-hint`}>
            {hint}
          </div>
        ) : null}
        {error ? (
          <div className="error-text" id={`${fieldId}-error`}>
            {error}
          </div>
        ) : null}
      </div>
    </div>
  );
}
