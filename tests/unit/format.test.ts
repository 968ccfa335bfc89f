/**
 * Numbers as the panels show them (issue 13, item 6): no raw exponent ever, "diverged" for what is not finite
 * (or a mean over tasks that blew up), "> 10⁴" for a run-away loss, a dash for nothing.
 */
import { describe, expect, it } from 'vitest';
import { formatLoss, formatMeanCi, formatPower, formatSmall, formatStepLoss, formatTick, formatValue } from '../../src/panels/format';

const noExponent = (s: string) => expect(s, s).not.toMatch(/e[+-]?\d/);

describe('formatValue and formatLoss', () => {
  it('3 decimals up to 10^4; above, "> 10⁴"; not finite, "diverged"; missing, a dash', () => {
    expect(formatLoss(0.12345)).toBe('0.123');
    expect(formatLoss(9999.9994)).toBe('9999.999');
    expect(formatLoss(10_000)).toBe('10000.000');
    expect(formatLoss(10_000.1)).toBe('> 10⁴');
    expect(formatLoss(5.606374228325071e72)).toBe('> 10⁴');
    expect(formatLoss(-3e9)).toBe('< −10⁴');
    expect(formatLoss(Infinity)).toBe('diverged');
    expect(formatLoss(NaN)).toBe('diverged');
    expect(formatLoss(null)).toBe('—');
    expect(formatLoss(undefined)).toBe('—');
    expect(formatValue(0.5, 1)).toBe('0.5');
    for (const v of [1e21, 5.606374228325071e72, 1e300, -1e25]) noExponent(formatLoss(v));
  });

  it('a step at or after the divergence is "diverged", whatever it holds', () => {
    expect(formatStepLoss(0.5, 3, 4)).toBe('0.500');
    expect(formatStepLoss(0.5, 4, 4)).toBe('diverged');
    expect(formatStepLoss(1e30, 2, null)).toBe('> 10⁴');
    expect(formatStepLoss(NaN, 2, null)).toBe('diverged');
  });
});

describe('formatMeanCi (the reproduction table)', () => {
  it('as before for ordinary numbers; diverged for a blown-up mean; > 10⁴ in between', () => {
    expect(formatMeanCi(0.3812, 0.0451)).toBe('0.381 ± 0.045');
    expect(formatMeanCi(4184.275361506064, 5143.531244218482)).toBe('4184.275 ± 5143.531');
    expect(formatMeanCi(null, null)).toBe('diverged');
    expect(formatMeanCi(NaN, 1)).toBe('diverged');
    expect(formatMeanCi(2e6, 1e6)).toBe('diverged');
    expect(formatMeanCi(5e4, 1)).toBe('> 10⁴');
    expect(formatMeanCi(0.5, 3e7)).toBe('0.500 ± > 10⁴');
    expect(formatMeanCi(undefined, undefined)).toBe('—');
  });
});

describe('powers of ten', () => {
  it('writes 10ⁿ with superscripts, never e-notation', () => {
    expect(formatPower(1e7)).toBe('10⁷');
    expect(formatPower(5.606374228325071e72)).toBe('5.6·10⁷²');
    expect(formatPower(3.2e-5)).toBe('3.2·10⁻⁵');
    expect(formatPower(-1e5)).toBe('−10⁵');
    expect(formatPower(9.99e4, 2)).toBe('10⁵');
    expect(formatPower(0)).toBe('0');
    expect(formatPower(Infinity)).toBe('diverged');
  });

  it('small diagnostics: 3 significant digits, powers of ten below 10⁻³', () => {
    expect(formatSmall(0.01234)).toBe('0.0123');
    expect(formatSmall(1.234e-5)).toBe('1.23·10⁻⁵');
    expect(formatSmall(0)).toBe('0');
    expect(formatSmall(NaN)).toBe('diverged');
    expect(formatSmall(2e9)).toBe('> 10⁴');
  });

  it('axis ticks: as given up to 10⁴, powers of ten above', () => {
    const tick = formatTick((v) => v.toFixed(2));
    expect(tick(0.5)).toBe('0.50');
    expect(tick(10_000)).toBe('10000.00');
    expect(tick(2e5)).toBe('2·10⁵');
    expect(tick(1e72)).toBe('10⁷²');
    expect(tick({ valueOf: () => 1e6 })).toBe('10⁶');
  });
});
