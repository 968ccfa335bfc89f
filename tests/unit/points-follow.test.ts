/**
 * The points decide the task (issue 13, item 5; src/state/pointsFollow.ts): a point follows its sine when the
 * curve passes through its dot (SINUSOID_TOLERANCE), a labelled point in the plane when a region of its class
 * reaches its dot (PLANE_TOLERANCE). Sampled points and points read back from a link follow; points clicked off
 * the curve, or in another class's region, do not.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/meta/contracts/random';
import { planeLabel, type PlaneTask } from '../../src/meta/contracts/tasks/plane';
import { samplePoints, sampleTask, sinusoid, type SinusoidTask } from '../../src/meta/contracts/tasks/sinusoid';
import { planeFromSeed } from '../../src/state/classification';
import {
  PLANE_TOLERANCE,
  planeDroppedNotice,
  planePointFollows,
  planePointsFollowTask,
  pointFollowsSinusoid,
  pointsFollowTask,
  SINUSOID_TOLERANCE,
  sineDroppedNotice,
  type OffTaskCause,
} from '../../src/state/pointsFollow';

/** What a link writes: coordinates to 3 decimals, the task to 4. */
const round = (v: number, d: number) => Number(v.toFixed(d));

describe('a point follows its sine', () => {
  it('when sampled from it, and when read back from a link (rounded), for tasks across the family', () => {
    const rng = new Rng(13);
    for (let t = 0; t < 200; t++) {
      const task = sampleTask(rng);
      const points = samplePoints(task, 20, rng);
      expect(pointsFollowTask(task, points)).toBe(true);
      const linked: SinusoidTask = { amplitude: round(task.amplitude, 4), phase: round(task.phase, 4) };
      expect(pointsFollowTask(linked, points.map((p) => ({ x: round(p.x, 3), y: round(p.y, 3) })))).toBe(true);
    }
  });

  it('within the dot where the sine is flat (at its crest), not beyond it', () => {
    const task = { amplitude: 3, phase: 0.5 };
    const crest = task.phase + Math.PI / 2;
    expect(pointFollowsSinusoid(task, { x: crest, y: 3 + 0.2 })).toBe(true);
    expect(pointFollowsSinusoid(task, { x: crest, y: 3 - 0.2 })).toBe(true);
    expect(pointFollowsSinusoid(task, { x: crest, y: 3 + SINUSOID_TOLERANCE.y + 0.02 })).toBe(false);
    expect(pointFollowsSinusoid(task, { x: crest, y: 3 - 0.5 })).toBe(false);
  });

  it('just beside a steep part (a click a few pixels to the side), not a step further', () => {
    const task = { amplitude: 5, phase: 0 };
    // At x = 0 the slope is 5: 0.1 to the side is 0.5 below the curve vertically, yet the curve crosses the dot.
    expect(Math.abs(sinusoid(task, 0.1) - 0)).toBeGreaterThan(SINUSOID_TOLERANCE.y);
    expect(pointFollowsSinusoid(task, { x: 0.1, y: 0 })).toBe(true);
    expect(pointFollowsSinusoid(task, { x: 0.25, y: 0 })).toBe(false);
  });

  it("the report's case: five points clicked well off the shown sine do not follow it", () => {
    const task = { amplitude: 4, phase: 2 };
    const clicked = [-4, -2, 0, 2, 4].map((x) => ({ x, y: sinusoid(task, x) + 2 }));
    expect(pointsFollowTask(task, clicked)).toBe(false);
    clicked.forEach((p) => expect(pointFollowsSinusoid(task, p)).toBe(false));
    // One off point among points on the curve is enough.
    const onCurve = [-4, -2, 0, 2].map((x) => ({ x, y: sinusoid(task, x) }));
    expect(pointsFollowTask(task, onCurve)).toBe(true);
    expect(pointsFollowTask(task, [...onCurve, clicked[4]])).toBe(false);
  });

  it('no points follow any task; a point that is not a number follows none', () => {
    expect(pointsFollowTask({ amplitude: 1, phase: 0 }, [])).toBe(true);
    expect(pointFollowsSinusoid({ amplitude: 1, phase: 0 }, { x: NaN, y: 0 })).toBe(false);
    expect(pointFollowsSinusoid({ amplitude: 1, phase: 0 }, { x: 0, y: Infinity })).toBe(false);
  });
});

describe('a labelled point follows its plane task', () => {
  it('when sampled from it (float32, as the page stores them) and read back from a link, 2 to 5 classes', () => {
    for (const classes of [2, 3, 4, 5])
      for (let seed = 1; seed <= 60; seed++) {
        const { task, points } = planeFromSeed(seed, classes, 10);
        expect(planePointsFollowTask(task, points)).toBe(true);
        expect(planePointsFollowTask(task, points.map((p) => ({ ...p, x: round(p.x, 3), y: round(p.y, 3) })))).toBe(true);
      }
  });

  it('not when it lies in another class’s region, beyond its dot', () => {
    // The line x = 0.2: class 1 to the right.
    const line: PlaneTask = { kind: 'line', normal: [1, 0], offset: 0.2 };
    expect(planePointFollows(line, { x: 0.6, y: 0, label: 1 })).toBe(true);
    expect(planePointFollows(line, { x: 0.6, y: 0, label: 0 })).toBe(false);
    expect(planePointFollows(line, { x: -0.5, y: 0.3, label: 1 })).toBe(false);
    // A dot straddling the boundary follows whichever side its centre is on.
    expect(planePointFollows(line, { x: 0.2 - PLANE_TOLERANCE / 2, y: 0, label: 1 })).toBe(true);
    expect(planePointFollows(line, { x: 0.2 + PLANE_TOLERANCE / 2, y: 0, label: 0 })).toBe(true);
    expect(planePointFollows(line, { x: 0.2 - 2 * PLANE_TOLERANCE, y: 0, label: 1 })).toBe(false);
  });

  it('for circles and cells too, and any point with a class the task does not have is off it', () => {
    const circle: PlaneTask = { kind: 'circle', center: [0, 0], radius: 0.5 };
    expect(planePointFollows(circle, { x: 0, y: 0, label: 1 })).toBe(true);
    expect(planePointFollows(circle, { x: 0, y: 0, label: 0 })).toBe(false);
    expect(planePointFollows(circle, { x: 0.9, y: 0.9, label: 1 })).toBe(false);
    const cells: PlaneTask = { kind: 'cells', centers: [[-0.5, -0.5], [0.5, -0.5], [0, 0.6]] };
    expect(planeLabel(cells, 0, 0.7)).toBe(2);
    expect(planePointFollows(cells, { x: 0, y: 0.7, label: 2 })).toBe(true);
    expect(planePointFollows(cells, { x: 0, y: 0.7, label: 0 })).toBe(false);
    expect(planePointFollows(cells, { x: -0.6, y: -0.6, label: 1 })).toBe(false);
    expect(planePointFollows(cells, { x: 0, y: 0, label: 4 })).toBe(false);
  });
});

describe('the notices', () => {
  it('say why, one text per cause, and how to get the task back', () => {
    const causes: OffTaskCause[] = ['add', 'move', 'link'];
    const sine = causes.map(sineDroppedNotice);
    const plane = causes.map(planeDroppedNotice);
    expect(new Set(sine).size).toBe(3);
    expect(new Set(plane).size).toBe(3);
    for (const t of sine) expect(t).toMatch(/no longer follow the shown sine.*scoring on your points only.*Back to the sine/);
    for (const t of plane) expect(t).toMatch(/no longer follow the true task.*scoring on your points only.*Sample K points per class/);
  });
});
