/**
 * The page's zustand store, driven directly through getState()/setState() (no React): point editing,
 * settings clamps, method toggles, seeded tasks, sampling from the true function, notices, and the
 * thinned loss history.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALGORITHM_IDS } from '../../src/meta/engine/algorithms';
import { glyphSupportProblems } from '../../src/state/classification';
import { defaultTrainConfig } from '../../src/meta/contracts/config';
import { sinusoid, SINUSOID_RANGES, type Point } from '../../src/meta/contracts/tasks/sinusoid';
import {
  appendHistory,
  DEFAULT_SEED,
  defaultSettings,
  initialStatus,
  MAX_POINTS,
  MAX_STEPS,
  taskFromSeed,
  usePlayground,
  type LossPoint,
  DEFAULT_METHODS,
} from '../../src/state/store';
import type { TrainProgress } from '../../src/worker/protocol';
import { planeLabel } from '../../src/meta/contracts/tasks/plane';
import { planeFromSeed } from '../../src/state/classification';
import { planeDroppedNotice, planePointsFollowTask, pointsFollowTask, sineDroppedNotice } from '../../src/state/pointsFollow';

const st = () => usePlayground.getState();
const settings = () => st().settings;

beforeEach(() => {
  usePlayground.setState({
    settings: defaultSettings(),
    status: initialStatus(),
    results: { grid: st().results.grid, adaptation: {}, evaluation: {}, evaluationFor: null, classification: null, classEvaluation: null, classShipped: {} },
    notices: [],
    leftTask: null,
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('initial state', () => {
  it('starts from the default settings and an empty engine status', () => {
    expect(settings()).toEqual(defaultSettings());
    expect(settings().seed).toBe(DEFAULT_SEED);
    expect(settings().methods).toEqual(DEFAULT_METHODS);
    expect(settings().points).toEqual(taskFromSeed(DEFAULT_SEED, settings().kShot).points);
    expect(st().status).toEqual(initialStatus());
  });

  it('defaultSettings() returns fresh objects each call', () => {
    const a = defaultSettings();
    a.methods.pop();
    a.train.metaBatch = 1;
    a.points.push({ x: 0, y: 0 });
    expect(defaultSettings()).not.toEqual(a);
  });
});

describe('points', () => {
  it('addPoint appends and clamps x to [-5, 5], leaving y alone', () => {
    // Free-hand: these points are off the default sine, which would drop it with a notice (see "the points decide").
    st().freeHand();
    st().clearPoints();
    st().addPoint({ x: 1.5, y: 2 });
    st().addPoint({ x: -12, y: -3 });
    st().addPoint({ x: 7.25, y: 4 });
    st().addPoint({ x: 5, y: 0 });
    expect(settings().points).toEqual([
      { x: 1.5, y: 2 },
      { x: SINUSOID_RANGES.x[0], y: -3 },
      { x: SINUSOID_RANGES.x[1], y: 4 },
      { x: 5, y: 0 },
    ]);
    expect(st().notices).toEqual([]);
  });

  it('addPoint does not mutate the previous points array', () => {
    const before = settings().points;
    const copy = before.map((p) => ({ ...p }));
    st().addPoint({ x: 0, y: 0 });
    expect(before).toEqual(copy);
    expect(settings().points).not.toBe(before);
    expect(settings().points).toHaveLength(before.length + 1);
  });

  it('accepts up to MAX_POINTS points, then refuses with a warning notice', () => {
    st().freeHand();
    st().clearPoints();
    for (let i = 0; i < MAX_POINTS; i++) st().addPoint({ x: -5 + i * 0.2, y: i });
    expect(settings().points).toHaveLength(MAX_POINTS);
    expect(st().notices).toEqual([]);
    const full = settings().points;

    st().addPoint({ x: 0, y: 99 });
    expect(settings().points).toHaveLength(MAX_POINTS);
    expect(settings().points).toEqual(full);
    expect(st().notices).toHaveLength(1);
    expect(st().notices[0].level).toBe('warning');
    expect(st().notices[0].text).toContain(String(MAX_POINTS));

    // Trying again does not pile up the same notice.
    st().addPoint({ x: 0, y: 99 });
    expect(st().notices).toHaveLength(1);
    expect(settings().points).toHaveLength(MAX_POINTS);
  });

  it('movePoint replaces only the point at the index, clamping x', () => {
    usePlayground.setState({ settings: { ...settings(), points: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }] } });
    st().movePoint(1, { x: 9, y: -7 });
    expect(settings().points).toEqual([
      { x: 0, y: 0 },
      { x: 5, y: -7 },
      { x: 2, y: 2 },
    ]);
    st().movePoint(0, { x: -3.5, y: 0.5 });
    expect(settings().points[0]).toEqual({ x: -3.5, y: 0.5 });
    st().movePoint(2, { x: -100, y: 1 });
    expect(settings().points[2]).toEqual({ x: -5, y: 1 });
    // An index that does not exist changes nothing.
    const before = settings().points;
    st().movePoint(3, { x: 0, y: 0 });
    expect(settings().points).toEqual(before);
  });

  it('deletePoint removes only the point at the index', () => {
    const pts: Point[] = [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }];
    usePlayground.setState({ settings: { ...settings(), points: pts } });
    st().deletePoint(1);
    expect(settings().points).toEqual([pts[0], pts[2], pts[3]]);
    st().deletePoint(2);
    expect(settings().points).toEqual([pts[0], pts[2]]);
    st().deletePoint(0);
    expect(settings().points).toEqual([pts[2]]);
    st().deletePoint(5);
    expect(settings().points).toEqual([pts[2]]);
  });

  it('clearPoints empties the points and keeps the task', () => {
    const task = settings().task;
    st().clearPoints();
    expect(settings().points).toEqual([]);
    expect(settings().task).toEqual(task);
  });
});

describe('setSettings', () => {
  it('clamps steps to 0..MAX_STEPS and rounds it', () => {
    st().setSettings({ steps: 15 });
    expect(settings().steps).toBe(MAX_STEPS);
    st().setSettings({ steps: -2 });
    expect(settings().steps).toBe(0);
    st().setSettings({ steps: 3.6 });
    expect(settings().steps).toBe(4);
    st().setSettings({ steps: 2.4 });
    expect(settings().steps).toBe(2);
  });

  it('clamps selectedStep to 0..steps and rounds it', () => {
    st().setSettings({ steps: 4, selectedStep: 9 });
    expect(settings().selectedStep).toBe(4);
    st().setSettings({ selectedStep: -1 });
    expect(settings().selectedStep).toBe(0);
    st().setSettings({ selectedStep: 2.4 });
    expect(settings().selectedStep).toBe(2);
    st().setSettings({ selectedStep: 2.6 });
    expect(settings().selectedStep).toBe(3);
    // Lowering steps pulls the selected step down with it.
    st().setSettings({ steps: 1 });
    expect(settings().selectedStep).toBe(1);
    st().setSettings({ steps: 0 });
    expect(settings().selectedStep).toBe(0);
    // A selected step above a too-large steps is clamped to the clamped steps.
    st().setSettings({ steps: 50, selectedStep: 50 });
    expect(settings().steps).toBe(MAX_STEPS);
    expect(settings().selectedStep).toBe(MAX_STEPS);
  });

  it('merges the patch and leaves the other settings alone', () => {
    const before = settings();
    st().setSettings({ alpha: 0.3, showTruth: false, kShot: 10 });
    expect(settings()).toEqual({ ...before, alpha: 0.3, showTruth: false, kShot: 10 });
  });

  it('setTrainConfig merges into the training config only', () => {
    const before = settings();
    st().setTrainConfig({ algorithm: 'fomaml', metaBatch: 5 });
    expect(settings().train).toEqual({ ...before.train, algorithm: 'fomaml', metaBatch: 5 });
    expect({ ...settings(), train: before.train }).toEqual(before);
  });
});

describe('toggleMethod', () => {
  it('removes a shown method and re-adds it in ALGORITHM_IDS order', () => {
    // Start from every method shown; the page opens with the paper's three (DEFAULT_METHODS).
    expect(DEFAULT_METHODS).toEqual(['maml', 'fomaml', 'pretrained']);
    st().setSettings({ methods: [...ALGORITHM_IDS] });
    const [a, b, c] = ALGORITHM_IDS;
    st().toggleMethod(b);
    expect(settings().methods).toEqual(ALGORITHM_IDS.filter((m) => m !== b));
    st().toggleMethod(a);
    expect(settings().methods).toEqual(ALGORITHM_IDS.filter((m) => m !== a && m !== b));
    st().toggleMethod(b);
    expect(settings().methods).toEqual(ALGORITHM_IDS.filter((m) => m !== a));
    st().toggleMethod(a);
    expect(settings().methods).toEqual(ALGORITHM_IDS);
    // Down to none and back, re-added last-first still comes out in canonical order.
    st().toggleMethod(a);
    st().toggleMethod(b);
    st().toggleMethod(c);
    expect(settings().methods).toEqual(ALGORITHM_IDS.filter((m) => m !== a && m !== b && m !== c));
    st().toggleMethod(c);
    st().toggleMethod(a);
    expect(settings().methods.slice(0, 2)).toEqual([a, c]);
    expect(settings().methods).toEqual(ALGORITHM_IDS.filter((m) => m !== b));
  });

  it('never duplicates a method', () => {
    for (let i = 0; i < 5; i++) st().toggleMethod('maml');
    expect(settings().methods.filter((m) => m === 'maml')).toHaveLength(0);
    st().toggleMethod('maml');
    expect(settings().methods.filter((m) => m === 'maml')).toHaveLength(1);
  });
});

describe('tasks', () => {
  it('newRandomTask moves to the next seed and its task and points', () => {
    const before = settings();
    st().newRandomTask();
    const s = settings();
    expect(s.seed).toBe(before.seed + 1);
    const expected = taskFromSeed(before.seed + 1, before.kShot);
    expect(s.task).toEqual(expected.task);
    expect(s.points).toEqual(expected.points);
    expect(s.task).not.toEqual(before.task);
    expect(s.points).not.toEqual(before.points);
    for (const p of s.points) expect(p.y).toBe(sinusoid(s.task!, p.x));
  });

  it('newRandomTask is deterministic: same starting seed, same task', () => {
    usePlayground.setState({ settings: { ...defaultSettings(), seed: 300, kShot: 10 } });
    st().newRandomTask();
    const first = settings();
    st().newRandomTask();
    const second = settings();
    expect(second.seed).toBe(302);
    expect(second.task).not.toEqual(first.task);

    usePlayground.setState({ settings: { ...defaultSettings(), seed: 300, kShot: 10 } });
    st().newRandomTask();
    expect(settings().seed).toBe(301);
    expect(settings().task).toEqual(first.task);
    expect(settings().points).toEqual(first.points);
    expect(settings().points).toHaveLength(10);
  });

  it('newRandomTask brings a true function back after freeHand', () => {
    st().freeHand();
    expect(settings().task).toBeNull();
    st().newRandomTask();
    expect(settings().task).not.toBeNull();
  });

  it('sampleTaskPoints draws kShot points on the true function over the whole domain', () => {
    st().setSettings({ kShot: 20 });
    const task = settings().task!;
    st().sampleTaskPoints();
    const pts = settings().points;
    expect(pts).toHaveLength(20);
    expect(settings().task).toEqual(task);
    for (const p of pts) {
      expect(p.y).toBe(sinusoid(task, p.x));
      expect(p.x).toBeGreaterThanOrEqual(-5);
      expect(p.x).toBeLessThanOrEqual(5);
    }
    expect(new Set(pts.map((p) => p.x)).size).toBe(20);
  });

  it('sampleTaskPoints keeps x within a given range', () => {
    st().setSettings({ kShot: 10 });
    const task = settings().task!;
    for (let i = 0; i < 5; i++) {
      st().sampleTaskPoints([-1, 0.5]);
      const pts = settings().points;
      expect(pts).toHaveLength(10);
      for (const p of pts) {
        expect(p.x).toBeGreaterThanOrEqual(-1);
        expect(p.x).toBeLessThanOrEqual(0.5);
        expect(p.y).toBe(sinusoid(task, p.x));
      }
    }
  });

  it('sampleTaskPoints gives a fresh draw each time (time-seeded)', () => {
    const now = vi.spyOn(Date, 'now');
    now.mockReturnValue(1_000_000);
    st().sampleTaskPoints();
    const a = settings().points;
    now.mockReturnValue(1_000_001);
    st().sampleTaskPoints();
    expect(settings().points).not.toEqual(a);
  });

  it('sampleTaskPoints does nothing when there is no true function', () => {
    st().freeHand();
    expect(settings().task).toBeNull();
    usePlayground.setState({ settings: { ...settings(), points: [{ x: 1, y: 100 }] } });
    const before = st().settings;
    st().sampleTaskPoints();
    st().sampleTaskPoints([0, 1]);
    expect(st().settings).toBe(before);
    expect(settings().points).toEqual([{ x: 1, y: 100 }]);
  });

  it('freeHand forgets the task but keeps the points', () => {
    const pts = settings().points;
    st().freeHand();
    expect(settings().task).toBeNull();
    expect(settings().points).toEqual(pts);
  });
});

describe('notices', () => {
  it('notify adds a notice with level, text and a fresh id', () => {
    st().notify('info', 'one');
    st().notify('error', 'two');
    const [n1, n2] = st().notices;
    expect(n1).toMatchObject({ level: 'info', text: 'one' });
    expect(n2).toMatchObject({ level: 'error', text: 'two' });
    expect(n2.id).toBeGreaterThan(n1.id);
  });

  it('does not repeat a text already shown', () => {
    st().notify('info', 'same');
    st().notify('info', 'same');
    st().notify('warning', 'same');
    expect(st().notices).toHaveLength(1);
    st().notify('info', 'other');
    st().notify('info', 'same');
    expect(st().notices.map((n) => n.text)).toEqual(['same', 'other']);
  });

  it('keeps at most the 5 latest notices', () => {
    for (let i = 0; i < 8; i++) st().notify('info', `n${i}`);
    expect(st().notices.map((n) => n.text)).toEqual(['n3', 'n4', 'n5', 'n6', 'n7']);
    const ids = st().notices.map((n) => n.id);
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('a dropped text can be shown again', () => {
    for (let i = 0; i < 6; i++) st().notify('info', `n${i}`);
    expect(st().notices.map((n) => n.text)).not.toContain('n0');
    st().notify('info', 'n0');
    expect(st().notices.at(-1)!.text).toBe('n0');
  });

  it('dismiss removes only the notice with that id', () => {
    st().notify('info', 'a');
    st().notify('info', 'b');
    st().notify('info', 'c');
    const [a, b, c] = st().notices;
    st().dismiss(b.id);
    expect(st().notices).toEqual([a, c]);
    st().dismiss(12345678);
    expect(st().notices).toEqual([a, c]);
    st().dismiss(a.id);
    st().dismiss(c.id);
    expect(st().notices).toEqual([]);
    // Once dismissed, the same text can be shown again.
    st().notify('info', 'b');
    expect(st().notices.map((n) => n.text)).toEqual(['b']);
  });
});

describe('loss history', () => {
  const pt = (i: number): LossPoint => ({ iteration: i, loss: 1 / (i + 1) });

  it('appendHistory appends without mutating while under the limit', () => {
    const h = [pt(0), pt(1)];
    const next = appendHistory(h, pt(2));
    expect(next).toEqual([pt(0), pt(1), pt(2)]);
    expect(h).toHaveLength(2);
  });

  it('thins a full history but keeps the first and the newest point', () => {
    let h: LossPoint[] = [];
    let i = 0;
    // Grow until the first thinning happens.
    for (; i < 5000; i++) {
      const next = appendHistory(h, pt(i));
      if (next.length < h.length + 1) {
        h = next;
        break;
      }
      h = next;
    }
    const limit = i; // the length before the thinning append
    expect(limit).toBeGreaterThan(100);
    expect(h.length).toBeLessThanOrEqual(limit);
    expect(h.length).toBeLessThan(limit * 0.75);
    expect(h[0]).toEqual(pt(0));
    expect(h.at(-1)).toEqual(pt(i));
  });

  it('stays within its limit and ordered over a long run, always ending at the newest point', () => {
    let h: LossPoint[] = [];
    let max = 0;
    let lastMissing = -1;
    for (let i = 0; i < 8_000; i++) {
      h = appendHistory(h, pt(i));
      max = Math.max(max, h.length);
      if (lastMissing < 0 && h[h.length - 1].iteration !== i) lastMissing = i;
    }
    expect(lastMissing, 'first append whose point was thinned away').toBe(-1);
    expect(max).toBeLessThanOrEqual(2000);
    expect(h.length).toBeGreaterThan(500);
    for (let j = 1; j < h.length; j++) expect(h[j].iteration).toBeGreaterThan(h[j - 1].iteration);
    expect(h[0].iteration).toBe(0);
  });

  it('keeps the newest point whatever the parity of the thinned history', () => {
    for (const n of [2000, 2001, 2501]) {
      const h = Array.from({ length: n }, (_, i) => pt(i));
      const next = appendHistory(h, pt(n));
      expect(next.length, `from ${n}`).toBeLessThanOrEqual(2000);
      expect(next.at(-1), `from ${n}`).toEqual(pt(n));
      expect(next[0]).toEqual(pt(0));
    }
  });

  it('pushProgress sets the progress and appends (iteration, metaLoss) to lossHistory', () => {
    const p = (iteration: number, metaLoss: number): TrainProgress => ({
      method: 'maml',
      model: 'maml',
      iteration,
      iterations: 100,
      metaLoss,
      itersPerSec: 50,
      etaSeconds: 2,
      stats: {},
      path: 'tfjs (cpu)',
    });
    st().pushProgress(p(10, 3.5));
    st().pushProgress(p(20, 2.25));
    expect(st().status.progress).toEqual(p(20, 2.25));
    expect(st().status.lossHistory).toEqual([
      { iteration: 10, loss: 3.5 },
      { iteration: 20, loss: 2.25 },
    ]);
  });
});

describe('engine status and results', () => {
  it('setStatus merges; setSource records per method', () => {
    st().setStatus({ worker: 'ready', backend: 'cpu' });
    st().setSource('maml', 'checkpoints/maml.json');
    st().setSource('fomaml', 'live training');
    st().setSource('maml', 'uploaded file x.json');
    expect(st().status).toMatchObject({ worker: 'ready', backend: 'cpu', trainState: 'idle' });
    expect(st().status.sources).toEqual({ maml: 'uploaded file x.json', fomaml: 'live training' });
  });

  it('setEvaluation records what the evaluation was computed for', () => {
    const curve = { kShot: 5, tasks: 10, alpha: 0.01, mean: [1, 0.5], ci95: [0.1, 0.05] };
    st().setEvaluation({ maml: curve }, { kShot: 5, alpha: 0.01 });
    expect(st().results.evaluation).toEqual({ maml: curve });
    expect(st().results.evaluationFor).toEqual({ kShot: 5, alpha: 0.01 });
  });
});

describe('setTrainAlgorithm', () => {
  it("switches to the algorithm's own defaults, keeping the chosen iterations and seed", () => {
    st().setTrainConfig({ iterations: 321, seed: 9, innerSteps: 3, alpha: 0.5 });
    st().setTrainAlgorithm('imaml');
    expect(settings().train).toEqual({ ...defaultTrainConfig('imaml'), iterations: 321, seed: 9 });
    expect(settings().train).toMatchObject({ algorithm: 'imaml', innerSteps: 10, alpha: 0.005, lambda: 10, cgSteps: 5 });
    st().setTrainAlgorithm('reptile');
    expect(settings().train).toMatchObject({ algorithm: 'reptile', innerSteps: 5, metaLr: 1, iterations: 321, seed: 9 });
  });
});

describe('applyLecturePreset', () => {
  it("sets MAML with the paper's settings but a larger Adam step and the test's K = 5 in training, whatever was chosen before", () => {
    st().setTrainAlgorithm('imaml');
    st().setTrainConfig({ iterations: 321, seed: 9, alpha: 0.5 });
    st().applyLecturePreset();
    expect(settings().train).toEqual({ ...defaultTrainConfig('maml'), metaLr: 0.006, kSupport: 5, kQuery: 5, iterations: 10000, seed: 1 });
    expect(settings().train.metaLr).toBeGreaterThan(defaultTrainConfig('maml').metaLr);
  });
});

describe('classification intents (issue 4)', () => {
  it('switching the problem sets its alpha and training problem; the oracle is not trained on a classifier', () => {
    st().setTrainAlgorithm('oracle');
    st().setProblem('plane');
    expect(settings().problem).toBe('plane');
    expect(settings().alpha).toBe(0.5);
    expect(settings().train).toMatchObject({ algorithm: 'maml', problem: 'plane', classes: 2, alpha: 0.5 });
    st().setTrainAlgorithm('reptile');
    expect(settings().train).toMatchObject({ algorithm: 'reptile', problem: 'plane', classes: 2 });
    st().setProblem('glyphs');
    expect(settings().alpha).toBe(0.4);
    expect(settings().train).toMatchObject({ algorithm: 'reptile', problem: 'glyphs', classes: 5, metaBatch: 16 });
    st().setProblem('sinusoid');
    expect(settings().alpha).toBe(0.01);
    expect(settings().train.problem).toBeUndefined();
  });

  it('points get the active class; a class or a count of classes the task does not have is refused with a message, nothing lost', () => {
    st().clearPlanePoints();
    st().setActiveClass(1);
    st().addPlanePoint({ x: 0.2, y: 3 });
    st().addPlanePoint({ x: -0.5, y: 0.5 }, 0);
    expect(settings().plane.points).toEqual([
      { x: 0.2, y: 1, label: 1 },
      { x: -0.5, y: 0.5, label: 0 },
    ]);
    const before = settings().plane;
    st().setActiveClass(2);
    st().addPlanePoint({ x: 0, y: 0 }, 4);
    st().setPlaneClasses(6);
    expect(settings().plane).toBe(before);
    expect(st().notices.map((n) => n.text)).toEqual([
      // (0.2, 1) is not class 2 under the default task: the points decide, the task is dropped.
      planeDroppedNotice('add'),
      'Class 3 does not exist: this task has 2 classes.',
      'Class 5 does not exist: this task has 2 classes.',
      'A plane task has 2 to 5 classes, not 6.',
    ]);
    st().movePlanePoint(0, { x: -2, y: 0.1 });
    expect(settings().plane.points[0]).toEqual({ x: -1, y: 0.1, label: 1 });
    st().deletePlanePoint(1);
    expect(settings().plane.points).toHaveLength(1);
  });

  it('more classes: a new task of that many classes with K points of each; the training problem follows', () => {
    st().setProblem('plane');
    st().setPlaneClasses(4);
    const p = settings().plane;
    expect(p.classes).toBe(4);
    expect(p.task?.kind).toBe('cells');
    for (let c = 0; c < 4; c++) expect(p.points.filter((q) => q.label === c)).toHaveLength(p.kShot);
    expect(settings().train.classes).toBe(4);
    st().newPlaneTask();
    expect(settings().plane.seed).toBe(p.seed + 1);
    expect(settings().plane.task).not.toEqual(p.task);
  });

  it('glyph drawings, queries and K: nothing drawn is dropped, generator fills are reproducible', () => {
    st().setGlyphDrawing(2, 0, [[[0.1, 0.1], [0.9, 0.9]]]);
    st().setGlyphDrawing(2, 3, [[[0, 0]]]); // no such pad at 1-shot: ignored
    expect(settings().glyphs.support[2]).toEqual([[[[0.1, 0.1], [0.9, 0.9]]]]);
    st().setGlyphKShot(5);
    st().setGlyphDrawing(2, 4, [[[0.2, 0.2], [0.8, 0.2]]]);
    st().setGlyphKShot(1);
    st().setGlyphKShot(5);
    expect(settings().glyphs.support[2][4]).toEqual([[[0.2, 0.2], [0.8, 0.2]]]);
    st().setGlyphKShot(3);
    expect(st().notices.at(-1)?.text).toMatch(/1-shot or 5-shot, not 3-shot/);
    st().setGlyphKShot(1);
    st().fillGlyphsFromGenerator();
    const filled = settings().glyphs;
    // A generator fill nobody redrew is filled again at the new K, with the same characters to classify.
    st().setGlyphKShot(5);
    expect(settings().glyphs.support.map((ex) => ex.length)).toEqual([5, 5, 5, 5, 5]);
    expect(settings().glyphs.support.flat().every((d) => d.length > 0)).toBe(true);
    expect(settings().glyphs.queries).toBe(filled.queries);
    // Once a drawing is the user's, switching K keeps every drawing as it is.
    st().setGlyphDrawing(0, 0, [[[0.1, 0.1], [0.9, 0.1]]]);
    const mine = settings().glyphs.support;
    st().setGlyphKShot(1);
    expect(settings().glyphs.support).toEqual(mine);
    expect(filled.queries.every((q) => q.label !== null)).toBe(true);
    st().setGlyphQuery(0, [[[0.3, 0.3], [0.7, 0.7]]]);
    expect(settings().glyphs.queries[0].label).toBeNull();
    for (let i = settings().glyphs.queries.length; i < 12; i++) st().addGlyphQuery();
    st().addGlyphQuery();
    expect(settings().glyphs.queries).toHaveLength(12);
    expect(st().notices.at(-1)?.text).toMatch(/At most 12 drawings/);
    // Fewer characters: the N-way model, and the drawings of the characters set aside are kept for later.
    st().setProblem('glyphs');
    st().setGlyphClasses(3);
    expect(settings().glyphs.classes).toBe(3);
    expect(settings().train.classes).toBe(3);
    expect(settings().glyphs.support).toEqual(mine);
    expect(glyphSupportProblems(settings().glyphs).join(' ')).not.toMatch(/Character [45]/);
    st().setGlyphClasses(6);
    expect(st().notices.at(-1)?.text).toMatch(/2 to 5 characters apart, not 6/);
    expect(settings().glyphs.classes).toBe(3);
    st().setGlyphClasses(5);
    expect(settings().glyphs.support).toEqual(mine);
    // An untouched generator episode is drawn again with N characters.
    st().fillGlyphsFromGenerator();
    st().setGlyphClasses(2);
    expect(settings().glyphs.support.map((ex) => ex.length)).toEqual([1, 1]);
    expect(settings().glyphs.queries.map((q) => q.label)).toEqual([0, 1, 0, 1]);
    st().clearGlyphs();
    expect(settings().glyphs.support.flat().every((d) => d.length === 0)).toBe(true);
    expect(settings().glyphs.kShot).toBe(1);
  });
});

describe('the bounds of the settings schema (issue 12)', () => {
  it('setTrainConfig keeps numbers within the bounds the fields and the link use: clamped, whole numbers rounded', () => {
    st().setTrainConfig({ metaBatch: 500, metaLr: 1e-9, innerSteps: 2.6, iterations: 0 });
    expect(settings().train).toMatchObject({ metaBatch: 200, metaLr: 1e-7, innerSteps: 3, iterations: 1 });
    st().setTrainConfig({ alpha: 1e-7, lambda: 1e6 });
    expect(settings().train).toMatchObject({ alpha: 1e-6, lambda: 1e4 });
  });

  it('refuses what is not a number (and K not on offer), keeping the value it had, with a notice', () => {
    const before = settings();
    st().setTrainConfig({ metaLr: Number.NaN, kQuery: 15 });
    expect(settings().train.metaLr).toBe(before.train.metaLr);
    expect(settings().train.kQuery).toBe(15);
    expect(st().notices).toHaveLength(1);
    expect(st().notices[0].text).toMatch(/Meta learning rate.*NaN/);
    st().setSettings({ kShot: 7, alpha: Number.POSITIVE_INFINITY });
    expect(settings().kShot).toBe(before.kShot);
    expect(settings().alpha).toBe(before.alpha);
    expect(st().notices.map((n) => n.text).join('\n')).toMatch(/K takes one of 5, 10, 20, not 7/);
  });

  it('accepts every value within bounds unchanged, without a notice', () => {
    st().setSettings({ alpha: 1e-6, steps: 0, seed: 2 ** 31 - 1 });
    st().setTrainConfig({ metaLr: 1e-7, metaBatch: 200, seed: 0 });
    expect(settings()).toMatchObject({ alpha: 1e-6, steps: 0, seed: 2 ** 31 - 1, train: { metaLr: 1e-7, metaBatch: 200, seed: 0 } });
    expect(st().notices).toEqual([]);
  });

  it('keeps a dragged point within the y the link carries, and seeds within 31 bits', () => {
    st().clearPoints();
    st().addPoint({ x: 0, y: 5000 });
    st().movePoint(0, { x: 0, y: -5000 });
    expect(settings().points).toEqual([{ x: 0, y: -1000 }]);
    st().setSettings({ seed: 2 ** 31 - 1 });
    st().newRandomTask();
    expect(settings().seed).toBe(1);
  });
});

describe('the points decide the task (issue 13, item 5)', () => {
  const task = () => settings().task!;
  const texts = () => st().notices.map((n) => n.text);

  it('a point placed on the curve keeps the sine, without a notice', () => {
    const t = task();
    st().addPoint({ x: 1.3, y: sinusoid(t, 1.3) });
    st().addPoint({ x: -2, y: sinusoid(t, -2) + 0.1 });
    expect(settings().task).toEqual(t);
    expect(st().leftTask).toBeNull();
    expect(st().notices).toEqual([]);
  });

  it('a point added off the curve drops the sine (remembered for the way back) with an info notice', () => {
    const t = task();
    st().addPoint({ x: 0, y: sinusoid(t, 0) + 2 });
    expect(settings().task).toBeNull();
    expect(st().leftTask).toEqual(t);
    expect(settings().points).toHaveLength(6);
    expect(st().notices).toMatchObject([{ level: 'info', text: sineDroppedNotice('add') }]);
    // More points: free-hand already, nothing more to say.
    st().addPoint({ x: 1, y: -5 });
    expect(st().notices).toHaveLength(1);
  });

  it('a point dragged along the curve keeps the sine; dragged off it drops it with its own notice', () => {
    const t = task();
    st().movePoint(0, { x: 2, y: sinusoid(t, 2) });
    expect(settings().task).toEqual(t);
    expect(st().notices).toEqual([]);
    st().movePoint(0, { x: 2, y: sinusoid(t, 2) - 1 });
    expect(settings().task).toBeNull();
    expect(st().leftTask).toEqual(t);
    expect(texts()).toEqual([sineDroppedNotice('move')]);
    // Dragging it back does not bring the sine back by itself: "Back to the sine" does.
    st().movePoint(0, { x: 2, y: sinusoid(t, 2) });
    expect(settings().task).toBeNull();
  });

  it('"Back to the sine" (sampleTaskPoints) brings the dropped sine back with K points on it', () => {
    const t = task();
    st().addPoint({ x: 0, y: 5 });
    st().notify('info', 'something else');
    st().sampleTaskPoints();
    expect(settings().task).toEqual(t);
    expect(st().leftTask).toBeNull();
    // What the notice said is no longer so: it goes (and nothing else does).
    expect(texts()).toEqual(['something else']);
    expect(settings().points).toHaveLength(settings().kShot);
    expect(pointsFollowTask(t, settings().points)).toBe(true);
    // ...and so does "Points on left half only".
    st().addPoint({ x: 0, y: 5 });
    st().sampleTaskPoints([-5, 0]);
    expect(settings().task).toEqual(t);
    expect(settings().points.every((p) => p.x <= 0)).toBe(true);
  });

  it('free-hand by choice and a new task forget the dropped sine', () => {
    st().addPoint({ x: 0, y: 5 });
    expect(st().leftTask).not.toBeNull();
    st().newRandomTask();
    expect(st().leftTask).toBeNull();
    expect(settings().task).not.toBeNull();
    st().addPoint({ x: 0, y: 5 });
    st().freeHand();
    expect(st().leftTask).toBeNull();
    st().sampleTaskPoints();
    expect(settings().task).toBeNull();
  });

  it('toggling "Show the true function" neither drops nor restores a task', () => {
    const t = task();
    st().setSettings({ showTruth: false });
    st().setSettings({ showTruth: true });
    expect(settings().task).toEqual(t);
    st().addPoint({ x: 0, y: 5 });
    st().setSettings({ showTruth: false });
    st().setSettings({ showTruth: true });
    expect(settings().task).toBeNull();
    expect(st().leftTask).toEqual(t);
  });

  it('a link whose points are off its sine loads free-hand, with a notice; one whose points follow keeps it', () => {
    const t = { amplitude: 4, phase: 2 };
    st().setSettings({ task: t, points: [-3, -1, 1, 3].map((x) => ({ x, y: 0 })) });
    expect(settings().task).toBeNull();
    expect(st().leftTask).toEqual(t);
    expect(texts()).toEqual([sineDroppedNotice('link')]);
    st().setSettings({ task: t, points: [-3, 1].map((x) => ({ x, y: Number(sinusoid(t, x).toFixed(3)) })) });
    expect(settings().task).toEqual(t);
    expect(st().leftTask).toBeNull();
  });

  it('the plane: a point of the class the task gives it keeps the task; a mislabelled one drops it, with a notice', () => {
    st().setProblem('plane');
    const p = settings().plane;
    const t = p.task!;
    expect(planePointsFollowTask(t, p.points)).toBe(true);
    // A spot deep inside each class's region (on a lattice, no randomness).
    const ticks = [-0.9, -0.6, -0.3, 0, 0.3, 0.6, 0.9];
    const deep = (c: number) => ticks.flatMap((x) => ticks.map((y) => ({ x, y }))).find(({ x, y }) => [0, 0.08, -0.08].every((d) => planeLabel(t, x + d, y + d) === c && planeLabel(t, x - d, y + d) === c))!;
    st().addPlanePoint(deep(1), 1);
    expect(settings().plane.task).toEqual(t);
    expect(st().notices).toEqual([]);
    st().addPlanePoint(deep(1), 0);
    expect(settings().plane.task).toBeNull();
    expect(settings().plane.points.at(-1)).toMatchObject({ label: 0 });
    expect(texts()).toEqual([planeDroppedNotice('add')]);
    // "Sample K points per class" brings the seed's task back, with its points, and the notice goes.
    st().samplePlaneTaskPoints();
    expect(settings().plane).toMatchObject(planeFromSeed(p.seed, p.classes, p.kShot));
    expect(st().notices).toEqual([]);
  });

  it('the plane: a point dragged into another class\'s region drops the task; a link with such points loads without it', () => {
    st().setProblem('plane');
    const p = settings().plane;
    const t = p.task!;
    const i = p.points.findIndex((q) => q.label === 0);
    const other = p.points.find((q) => q.label === 1)!;
    st().movePlanePoint(i, { x: p.points[i].x + 0.01, y: p.points[i].y });
    expect(settings().plane.task).toEqual(t);
    st().movePlanePoint(i, other);
    expect(settings().plane.task).toBeNull();
    expect(texts()).toEqual([planeDroppedNotice('move')]);
    st().samplePlaneTaskPoints();
    expect(settings().plane.task).toEqual(t);
    const mislabelled = p.points.map((q, j) => (j === i ? { ...q, label: 1 - q.label } : q));
    st().setSettings({ plane: { ...p, points: mislabelled } });
    expect(settings().plane.task).toBeNull();
    expect(texts()).toContain(planeDroppedNotice('link'));
    st().setSettings({ plane: p });
    expect(settings().plane.task).toEqual(t);
  });
});
