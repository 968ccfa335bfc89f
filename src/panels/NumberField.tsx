import { useEffect, useId, useState } from 'react';

export interface NumberFieldProps {
  label: string;
  value: number;
  onCommit(value: number): void;
  testId: string;
  /** Whole numbers only. */
  integer?: boolean;
  /** Smallest accepted value (inclusive); default: anything > 0. */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
  step?: number | 'any';
  title?: string;
}

/** Parses a field's text; returns the number, or a message saying what is wrong. */
export function parseField(
  text: string,
  { integer = false, min, max }: Pick<NumberFieldProps, 'integer' | 'min' | 'max'>,
): { ok: true; value: number } | { ok: false; message: string } {
  const t = text.trim();
  const kind = integer ? 'a whole number' : 'a number';
  const range =
    min === undefined
      ? max === undefined
        ? ' > 0'
        : ` > 0 and ≤ ${max}`
      : max === undefined
        ? ` ≥ ${min}`
        : ` from ${min} to ${max}`;
  const message = `Enter ${kind}${range}`;
  if (t === '') return { ok: false, message };
  const v = Number(t);
  if (!Number.isFinite(v)) return { ok: false, message };
  if (integer && !Number.isInteger(v)) return { ok: false, message };
  if (min === undefined ? v <= 0 : v < min) return { ok: false, message };
  if (max !== undefined && v > max) return { ok: false, message };
  return { ok: true, value: v };
}

/**
 * A numeric input that keeps what is typed locally and commits only valid numbers to the store, so a
 * half-typed "0." or an empty field never puts NaN into the settings. Shows why the text is not applied.
 */
export function NumberField({ label, value, onCommit, testId, integer, min, max, step, title }: NumberFieldProps) {
  const [text, setText] = useState(() => String(value));
  const id = useId();
  const parsed = parseField(text, { integer, min, max });

  // The store changed from elsewhere (a URL, a reset): show the new value unless the text already means it.
  useEffect(() => {
    setText((t) => {
      const p = parseField(t, { integer, min, max });
      return p.ok && p.value === value ? t : String(value);
    });
    // Only a change of the stored value should overwrite what is being typed.
  }, [value]);

  return (
    <div className={`field${parsed.ok ? '' : ' field-invalid'}`} title={title}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        step={step ?? (integer ? 1 : 'any')}
        min={min}
        max={max}
        value={text}
        data-testid={testId}
        aria-invalid={!parsed.ok}
        onChange={(e) => {
          const next = e.target.value;
          setText(next);
          const p = parseField(next, { integer, min, max });
          if (p.ok && p.value !== value) onCommit(p.value);
        }}
      />
      {!parsed.ok && (
        <span className="field-error" role="alert" data-testid={`${testId}-error`}>
          {parsed.message} (using {value})
        </span>
      )}
    </div>
  );
}
