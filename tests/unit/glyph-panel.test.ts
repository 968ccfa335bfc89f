/**
 * The glyph panel's pure helpers (probability rows, argmax, accuracy on labelled drawings, which results belong
 * to the panel, pointer normalisation and stroke thinning), and a server render of the panel from the store.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Stroke } from '../../src/meta/contracts/tasks/glyphs';
import {
  argmax,
  extendStroke,
  GlyphPanel,
  glyphResultsFor,
  labelledQueryAccuracy,
  MIN_POINT_STEP,
  normalisePoint,
  probabilityRow,
} from '../../src/panels/GlyphPanel';
import { glyphsFromGenerator } from '../../src/state/classification';
import { defaultSettings, usePlayground, type ClassResults } from '../../src/state/store';
import type { ClassAdaptation } from '../../src/meta/contracts/types';

const adaptation = (probabilities: number[][]): ClassAdaptation => ({
  probabilities: probabilities.map((p) => Float32Array.from(p)),
  supportAccuracy: probabilities.map(() => 1),
  supportLoss: probabilities.map(() => 0.1),
  queryAccuracy: null,
  queryLoss: null,
  divergedAt: null,
});

describe('argmax', () => {
  it('finds the largest finite value, first on ties', () => {
    expect(argmax([0.1, 0.5, 0.2, 0.5])).toBe(1);
    expect(argmax(Float32Array.from([0.9]))).toBe(0);
  });
  it('ignores NaN and returns -1 without a finite value', () => {
    expect(argmax([NaN, 0.2, NaN])).toBe(1);
    expect(argmax([NaN, NaN])).toBe(-1);
    expect(argmax([])).toBe(-1);
  });
});

describe('probabilityRow', () => {
  const probs = Float32Array.from([0.5, 0.25, 0.25, 0.125, 0.75, 0.125]);
  it('reads row j of a [rows x classes] matrix', () => {
    expect(probabilityRow(probs, 0, 3)).toEqual([0.5, 0.25, 0.25]);
    expect(probabilityRow(probs, 1, 3)).toEqual([0.125, 0.75, 0.125]);
  });
  it('is null out of range or without data', () => {
    expect(probabilityRow(probs, 2, 3)).toBeNull();
    expect(probabilityRow(probs, -1, 3)).toBeNull();
    expect(probabilityRow(undefined, 0, 3)).toBeNull();
    expect(probabilityRow(probs, 0, 0)).toBeNull();
  });
});

describe('glyphResultsFor', () => {
  const q = (n: number) => Array.from({ length: n }, () => ({ strokes: [], label: null }));
  const three = q(3);
  const r: ClassResults = { problem: 'glyphs', classes: 5, gridN: null, queryIndices: [0, 2], queries: three, results: {} };
  it('takes glyph results of the same classes computed for these drawings', () => {
    expect(glyphResultsFor(r, 5, three)).toBe(r);
    expect(glyphResultsFor({ ...r, queries: undefined }, 5, q(3))).not.toBeNull();
  });
  it('refuses the plane, other classes, other or missing drawings, and null', () => {
    expect(glyphResultsFor({ ...r, problem: 'plane' }, 5, three)).toBeNull();
    expect(glyphResultsFor(r, 4, three)).toBeNull();
    expect(glyphResultsFor(r, 5, q(3))).toBeNull();
    expect(glyphResultsFor({ ...r, queries: undefined }, 5, q(2))).toBeNull();
    expect(glyphResultsFor(null, 5, three)).toBeNull();
  });
});

describe('labelledQueryAccuracy', () => {
  // Two classes; three classified queries (indices 0, 2, 3 of the settings' queries).
  const a = adaptation([
    [0.9, 0.1, 0.6, 0.4, 0.2, 0.8], // step 0: predicts 0, 0, 1
    [0.1, 0.9, 0.3, 0.7, 0.2, 0.8], // step 1: predicts 1, 1, 1
  ]);
  const queryIndices = [0, 2, 3];
  it('scores only the labelled queries, at the given step', () => {
    const labels = [1, 0, 1, null]; // query 3 unlabelled; query 1 not classified
    expect(labelledQueryAccuracy(a, 0, 2, queryIndices, labels)).toEqual({ correct: 0, total: 2, accuracy: 0 });
    expect(labelledQueryAccuracy(a, 1, 2, queryIndices, labels)).toEqual({ correct: 2, total: 2, accuracy: 1 });
  });
  it('is null without labelled queries or for a step not computed', () => {
    expect(labelledQueryAccuracy(a, 0, 2, queryIndices, [null, null, null, null])).toBeNull();
    expect(labelledQueryAccuracy(a, 5, 2, queryIndices, [1, 0, 1, 1])).toBeNull();
  });
  it('counts a diverged (NaN) prediction as wrong', () => {
    const d = adaptation([[NaN, NaN]]);
    expect(labelledQueryAccuracy(d, 0, 2, [0], [0])).toEqual({ correct: 0, total: 1, accuracy: 0 });
  });
});

describe('pointer input', () => {
  const rect = { left: 100, top: 50, width: 84, height: 84 };
  it('normalises to the pad box, clamped to [0, 1], rounded to 1/1000', () => {
    expect(normalisePoint(142, 92, rect)).toEqual([0.5, 0.5]);
    expect(normalisePoint(90, 200, rect)).toEqual([0, 1]);
    expect(normalisePoint(100 + 84 / 3, 50, rect)).toEqual([0.333, 0]);
  });
  it('thins points closer than MIN_POINT_STEP to the last one', () => {
    const s: Stroke = [[0.5, 0.5]];
    expect(extendStroke(s, [0.5 + MIN_POINT_STEP / 2, 0.5])).toBe(false);
    expect(extendStroke(s, [0.5 + MIN_POINT_STEP * 2, 0.5])).toBe(true);
    expect(s).toHaveLength(2);
    const empty: Stroke = [];
    expect(extendStroke(empty, [0.1, 0.1])).toBe(true);
  });
});

describe('GlyphPanel (server render)', () => {
  beforeEach(() => {
    usePlayground.setState({
      settings: { ...defaultSettings(), problem: 'glyphs', methods: ['maml', 'pretrained', 'oracle'] },
      results: { ...usePlayground.getState().results, classification: null },
    });
  });

  // A server render reads the store's initial state (zustand's server snapshot): it is given the current one
  // for the render and restored after each test.
  const initial = usePlayground.getInitialState();
  const saved = { ...initial };
  afterEach(() => {
    Object.assign(initial, saved);
  });

  const render = () => {
    Object.assign(initial, usePlayground.getState());
    return renderToStaticMarkup(createElement(GlyphPanel));
  };

  it('opens with a generated episode, ready (no problems); cleared: the empty pads with their problems and no predictions', () => {
    const ready = render();
    expect(ready).toContain('data-testid="glyph-ready"');
    expect(ready).not.toContain('data-problem=');
    usePlayground.getState().clearGlyphs();
    const html = render();
    for (let c = 0; c < 5; c++) expect(html).toContain(`data-testid="glyph-pad-${c}-0"`);
    expect(html).not.toContain('glyph-pad-0-1');
    expect(html).toContain('data-testid="glyph-problems"');
    expect(html).toContain('Adaptation waits for a usable support set');
    expect(html).toContain('data-testid="glyph-query-0"');
    expect(html).toContain('data-testid="glyph-query-add"');
    expect(html).not.toContain('glyph-probs-maml-0');
    // The oracle has no classifier.
    expect(html).not.toContain('glyph-support-acc-oracle');
    expect(html).toContain('data-testid="glyph-support-acc-maml"');
  });

  it('shows probabilities before and after, predictions and accuracies for a generated episode', () => {
    const glyphs = glyphsFromGenerator(1, 5, 1);
    const Q = glyphs.queries.length;
    const queryIndices = Array.from({ length: Q }, (_, i) => i);
    // Step 0 predicts class 0 for everything; step 1 predicts each query's true class.
    const step0 = new Float32Array(Q * 5);
    const step1 = new Float32Array(Q * 5);
    glyphs.queries.forEach((q, j) => {
      step0.set([0.6, 0.1, 0.1, 0.1, 0.1], j * 5);
      step1.fill(0.05, j * 5, j * 5 + 5);
      step1[j * 5 + (q.label ?? 0)] = 0.8;
    });
    const a: ClassAdaptation = { probabilities: [step0, step1], supportAccuracy: [0.2, 1], supportLoss: [1.6, 0.2], queryAccuracy: null, queryLoss: null, divergedAt: null };
    usePlayground.setState((s) => ({
      settings: { ...s.settings, glyphs, selectedStep: 1 },
      status: { ...s.status, sources: { 'glyphs-5way/maml': 'checkpoint glyphs-5way-1shot/maml.json' } },
      results: { ...s.results, classification: { problem: 'glyphs', classes: 5, gridN: null, queryIndices, results: { maml: a } } },
    }));
    const html = render();
    expect(html).not.toContain('data-testid="glyph-problems"');
    expect(html).toContain('data-testid="glyph-probs-maml-0"');
    expect(html).toContain('data-pred-before="0"');
    expect(html).toMatch(/data-testid="glyph-support-acc-maml" data-before="0.2" data-after="1"/);
    const labelled0 = glyphs.queries.filter((q) => q.label === 0).length / Q;
    expect(html).toContain(`data-testid="glyph-query-acc-maml" data-before="${labelled0}" data-after="1"`);
    expect(html).toContain('checkpoint glyphs-5way-1shot/maml.json');
    // No results for pretrained yet: its rows are reserved but carry no numbers.
    expect(html).not.toContain('glyph-probs-pretrained-0');
    expect(html).toContain('data-testid="glyph-support-acc-pretrained" data-before="" data-after=""');
  });

  it('hides predictions while the support set has a problem, keeping the drawings', () => {
    const glyphs = glyphsFromGenerator(1, 5, 1);
    glyphs.support[2][0] = [[[0.5, 0.5]]];
    usePlayground.setState((s) => ({
      settings: { ...s.settings, glyphs },
      results: { ...s.results, classification: { problem: 'glyphs', classes: 5, gridN: null, queryIndices: [0], results: { maml: adaptation([[0.2, 0.2, 0.2, 0.2, 0.2]]) } } },
    }));
    const html = render();
    expect(html).toContain('Character 3, example 1: The drawing is too small to read');
    expect(html).not.toContain('glyph-probs-maml-0');
    expect(html).toMatch(/data-testid="glyph-pad-2-0" data-strokes="1" data-problem="unreadable"/);
  });
});
