import { useEffect, useId, useState } from 'react';
import { readDecimal, type NumberSetting } from '../state/schema';

/** What a field accepts: a setting's schema entry (its bounds, whole numbers or not), or limits of its own. */
export type FieldLimits =
  | {
      /** The setting's entry in the schema: the field accepts exactly what the store keeps and a link carries. */
      setting: NumberSetting;
      integer?: never;
      min?: never;
      max?: never;
    }
  | {
      setting?: undefined;
      /** Whole numbers only. */
      integer?: boolean;
      /** Smallest accepted value (inclusive); default: anything > 0. */
      min?: number;
      /** Largest accepted value (inclusive). */
      max?: number;
    };

export type NumberFieldProps = FieldLimits & {
  label: string;
  value: number;
  onCommit(value: number): void;
  testId: string;
  step?: number | 'any';
  title?: string;
};

/** A field's limits: its setting's, or its own. */
function limitsOf(l: FieldLimits): { integer: boolean; min?: number; max?: number } {
  return l.setting ? { integer: l.setting.integer, min: l.setting.min, max: l.setting.max } : { integer: l.integer ?? false, min: l.min, max: l.max };
}

/**
 * Parses a field's text (decimal, as the link writes numbers: "0.01", "1e-7"); returns the number, or a
 * message saying what is wrong.
 */
export function parseField(text: string, limits: FieldLimits): { ok: true; value: number } | { ok: false; message: string } {
  const { integer, min, max } = limitsOf(limits);
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
  const v = readDecimal(t);
  if (v === null) return { ok: false, message };
  if (integer && !Number.isInteger(v)) return { ok: false, message };
  if (min === undefined ? v <= 0 : v < min) return { ok: false, message };
  if (max !== undefined && v > max) return { ok: false, message };
  const choices = limits.setting?.choices;
  if (choices && !choices.includes(v)) return { ok: false, message: `Enter one of ${choices.join(', ')}` };
  return { ok: true, value: v };
}

/**
 * A numeric input that keeps what is typed locally and commits only valid numbers to the store, so a
 * half-typed "0." or an empty field never puts NaN into the settings. Shows why the text is not applied.
 */
export function NumberField(props: NumberFieldProps) {
  const { label, value, onCommit, testId, step, title } = props;
  const limits: FieldLimits = props.setting ? { setting: props.setting } : { integer: props.integer, min: props.min, max: props.max };
  const { integer, min, max } = limitsOf(limits);
  const [text, setText] = useState(() => String(value));
  const id = useId();
  const parsed = parseField(text, limits);

  // The store changed from elsewhere (a URL, a reset): show the new value unless the text already means it.
  useEffect(() => {
    setText((t) => {
      const p = parseField(t, limits);
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
          const p = parseField(next, limits);
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
