/**
 * What notices say, so that none repeats a raw value whole or gives advice that does not fit: values quoted to
 * at most QUOTE_MAX characters, long lists summarised, and the advice for a diverged adaptation by the method's
 * own rule (ALGORITHM_INFO), not by its name.
 */
import { ALGORITHM_INFO, type AlgorithmId } from '../meta/contracts/algorithms';

/** The most characters of a value a notice quotes. */
export const QUOTE_MAX = 80;

/** 5000 -> "5,000". */
export const count = (n: number) => n.toLocaleString('en-US');

/** Text cut to max characters, with "…" where it was cut. */
export function clip(text: string, max = QUOTE_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A value as a notice quotes it: "0.5", or for a long one its start and its length ("aaaa…" (1,048,576 characters)). */
export function quote(raw: string | null, max = QUOTE_MAX): string {
  if (raw === null) return 'null';
  if (raw.length <= max) return JSON.stringify(raw);
  return `${JSON.stringify(raw.slice(0, max - 1) + '…')} (${count(raw.length)} characters)`;
}

/** A parameter's name as a notice names it: as it is, or cut when long. */
export const quoteName = (name: string) => clip(name, 40);

/** The first `shown` items, joined, and how many more there are: "a, b, c, … (4,997 more)". */
export function listSome(items: string[], shown = 3, sep = ', '): string {
  if (items.length <= shown) return items.join(sep);
  return `${items.slice(0, shown).join(sep)}${sep}… (${count(items.length - shown)} more)`;
}

/** Why a method's test-time adaptation diverged, by the method's rule: the shared alpha, or its learned rates. */
export function divergenceCause(id: AlgorithmId): string {
  return ALGORITHM_INFO[id].learnedRates ? 'its learned per-parameter rates overshoot (alpha is not used)' : 'alpha too large';
}

/** What to try then. */
export function divergenceAdvice(id: AlgorithmId): string {
  return ALGORITHM_INFO[id].learnedRates ? 'try fewer steps, or points nearer the tasks it was trained on' : 'try a smaller test-time alpha';
}

/** "⚠ MAML diverged at step 4: alpha too large (its curve stops there). Try a smaller test-time alpha." without the ⚠. */
export function divergenceWarning(id: AlgorithmId, step: number, consequence: string): string {
  const advice = divergenceAdvice(id);
  return `${ALGORITHM_INFO[id].label} diverged at step ${step}: ${divergenceCause(id)} (${consequence}). ${advice[0].toUpperCase()}${advice.slice(1)}.`;
}
