/**
 * Numbers as the panels show them: never a raw exponent. A value that is not finite is "diverged"; one larger
 * than 10^4 is "> 10⁴" (a loss that large means the adaptation ran away: its digits say nothing and would push
 * a table's columns out of view). Missing values are a dash.
 */

/** Above this a value is shown as "> 10⁴". */
export const LARGE = 1e4;
/** A mean over tasks above this means some task's adaptation blew up: "diverged" (as the reproduction table says). */
export const BLOWN_UP = 1e6;

export const DIVERGED = 'diverged';
export const TOO_LARGE = '> 10⁴';

/** A value to `digits` decimals; "diverged", "> 10⁴" (or "< −10⁴"), or "—" for none. */
export function formatValue(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return DIVERGED;
  if (Math.abs(v) > LARGE) return v > 0 ? TOO_LARGE : '< −10⁴';
  return v.toFixed(digits);
}

/** A loss: 3 decimals, or what formatValue says instead. */
export const formatLoss = (v: number | null | undefined): string => formatValue(v, 3);

/**
 * A loss at a step of an adaptation that diverged at `divergedAt` (null: it did not): "diverged" from that step
 * on, whatever number the step holds.
 */
export function formatStepLoss(v: number | null | undefined, step: number, divergedAt: number | null): string {
  if (divergedAt !== null && step >= divergedAt) return DIVERGED;
  return formatLoss(v);
}

/** "0.123 ± 0.045"; "diverged" for a mean that is not finite or above BLOWN_UP; "> 10⁴" above LARGE. */
export function formatMeanCi(mean: number | null | undefined, ci: number | null | undefined, digits = 3): string {
  if (mean === undefined) return '—';
  if (mean === null || !Number.isFinite(mean) || Math.abs(mean) > BLOWN_UP) return DIVERGED;
  if (Math.abs(mean) > LARGE) return formatValue(mean, digits);
  const half = ci === null || ci === undefined ? null : formatValue(ci, digits);
  return half === null ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${half}`;
}

/** "3.2·10⁻⁵", "10⁷": a number in powers of ten, with `digits` significant digits, never "3.2e-5". */
export function formatPower(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return DIVERGED;
  if (v === 0) return '0';
  let e = Math.floor(Math.log10(Math.abs(v)));
  let m = +(v / 10 ** e).toPrecision(digits);
  if (Math.abs(m) >= 10) {
    m /= 10;
    e += 1;
  }
  const pow = `10${superscript(e)}`;
  if (Math.abs(m) === 1) return m < 0 ? `−${pow}` : pow;
  return `${String(m).replace('-', '−')}·${pow}`;
}

/** A small diagnostic (a residual, a gradient norm): 3 significant digits, powers of ten below 10⁻³, "> 10⁴" above 10⁴. */
export function formatSmall(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return DIVERGED;
  if (Math.abs(v) > LARGE) return formatValue(v);
  return v !== 0 && Math.abs(v) < 1e-3 ? formatPower(v, 3) : String(+v.toPrecision(3));
}

/** An axis tick: as `small` formats it up to 10⁴, then in powers of ten (10⁷, 5·10⁷²), never 1e+72 or 73 digits. */
export function formatTick(small: (v: number) => string): (d: number | { valueOf(): number }) => string {
  return (d) => {
    const v = +d;
    return Number.isFinite(v) && Math.abs(v) > LARGE ? formatPower(v) : small(v);
  };
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const superscript = (n: number) => String(n).replace(/\d/g, (d) => SUPERSCRIPT[+d]).replace('-', '⁻');
