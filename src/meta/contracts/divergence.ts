/**
 * When a meta-iteration's update is refused, shared by every trainer (tfjs and typed arrays) so both stop a
 * diverging run the same way and say so in the same words.
 */

/**
 * A meta-loss this many times the loss of always predicting zero means the inner steps have blown up (e.g.
 * alpha = 5 gives ~1e6 times): Adam's bounded steps would otherwise keep such a run going, finite but useless.
 */
export const DIVERGENCE_FACTOR = 1000;

/** Why this iteration's update must not be applied, or null when it is fine. */
export function divergenceReason(
  iteration: number,
  loss: number,
  gradSq: number,
  zeroLoss: number,
  config: { alpha: number; metaLr: number },
): string | null {
  // Floor of 1: a batch of tiny-amplitude tasks has a near-zero reference loss.
  const exploded = loss > DIVERGENCE_FACTOR * Math.max(zeroLoss, 1);
  if (Number.isFinite(loss) && Number.isFinite(gradSq) && !exploded) return null;
  const what = !Number.isFinite(loss)
    ? `meta-loss is ${loss}`
    : exploded
      ? `meta-loss ${loss.toExponential(2)} is over ${DIVERGENCE_FACTOR} times that of predicting zero (${zeroLoss.toFixed(2)})`
      : 'the meta-gradient is not finite';
  return `Training diverged at iteration ${iteration}: ${what} (alpha = ${config.alpha}, meta learning rate = ${config.metaLr}). The last good parameters are kept; try a smaller alpha or learning rate.`;
}
