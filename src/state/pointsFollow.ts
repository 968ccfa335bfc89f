/**
 * The points decide the task (issue 13, item 5): the page scores a method against a true function (or a true
 * class layout) only while the user's points come from it. These are the pure rules that say whether they do;
 * the store applies them to every intent that places points (click, drag, a link) and drops the true task when
 * a point leaves it, so nothing is ever scored against a function the points do not follow.
 *
 * "Follows" is what the plot can show: a point follows its task when the true curve (or a region of its own
 * class) passes through the point's dot on screen. A point sampled from the task lies exactly on it; one read
 * back from a link (coordinates to 3 decimals) lies within a few thousandths; one clicked "on the curve" lies
 * within the few pixels a click can miss by. A point clearly off the curve, or in another class's region, does
 * not follow.
 */
import { planeLabel, type PlaneTask } from '../meta/contracts/tasks/plane';
import { sinusoid, SINUSOID_RANGES, type Point, type SinusoidTask } from '../meta/contracts/tasks/sinusoid';
import type { PlanePoint } from './classification';

/**
 * How far from the true sine a point may lie, in data units: the radius of a support point's dot on the task
 * plot (7 px; the plot maps 10 x-units to 570 px and 12 y-units to 320 px, so 7 px is 0.12 in x and 0.26 in y).
 * The point follows when the curve passes through that ellipse around it: vertically within 0.25 where the
 * sine is flat, and within a slightly larger vertical gap on its steep parts, where a click just beside the
 * curve misses it vertically by more (slope up to A = 5).
 */
export const SINUSOID_TOLERANCE = { x: 0.12, y: 0.25 } as const;

/**
 * How far from a region of its own class a labelled point in the plane may lie: the radius of its dot on the
 * plane plot (7 px of 360 for 2 units is 0.039). A point whose dot straddles the true boundary follows the
 * task whichever side its centre is on; one inside another class's region does not.
 */
export const PLANE_TOLERANCE = 0.035;

/** Samples of the curve across the ellipse's width (odd, so the point's own x is one of them). */
const CURVE_SAMPLES = 65;
/** Directions in which the plane's rule looks for the point's class, on two rings (the dot's edge, and half). */
const RING_DIRECTIONS = 16;

/** Whether the sine y = A sin(x - phase) passes within SINUSOID_TOLERANCE of the point. */
export function pointFollowsSinusoid(task: SinusoidTask, p: Point): boolean {
  const { x: rx, y: ry } = SINUSOID_TOLERANCE;
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
  if (Math.abs(sinusoid(task, p.x) - p.y) <= ry) return true;
  const [lo, hi] = SINUSOID_RANGES.x;
  for (let i = 0; i < CURVE_SAMPLES; i++) {
    const dx = rx * ((2 * i) / (CURVE_SAMPLES - 1) - 1);
    const x = Math.min(hi, Math.max(lo, p.x + dx));
    if ((dx / rx) ** 2 + ((sinusoid(task, x) - p.y) / ry) ** 2 <= 1) return true;
  }
  return false;
}

/** Whether a region of the point's own class (under the task) reaches within PLANE_TOLERANCE of it. */
export function planePointFollows(task: PlaneTask, p: PlanePoint): boolean {
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
  if (planeLabel(task, p.x, p.y) === p.label) return true;
  for (const r of [PLANE_TOLERANCE, PLANE_TOLERANCE / 2])
    for (let i = 0; i < RING_DIRECTIONS; i++) {
      const a = (2 * Math.PI * i) / RING_DIRECTIONS;
      if (planeLabel(task, p.x + r * Math.cos(a), p.y + r * Math.sin(a)) === p.label) return true;
    }
  return false;
}

/** Whether every point follows the sine (no points: they do, there is nothing to contradict it). */
export function pointsFollowTask(task: SinusoidTask, points: readonly Point[]): boolean {
  return points.every((p) => pointFollowsSinusoid(task, p));
}

/** Whether every labelled point follows the plane task. */
export function planePointsFollowTask(task: PlaneTask, points: readonly PlanePoint[]): boolean {
  return points.every((p) => planePointFollows(task, p));
}

/** What placed the points that left the task: it names the notice. */
export type OffTaskCause = 'add' | 'move' | 'link';

const SINE_CAUSE: Record<OffTaskCause, string> = {
  add: 'the point you added is off it',
  move: 'the point you moved is off it',
  link: "the link's points are not on it",
};
const PLANE_CAUSE: Record<OffTaskCause, string> = {
  add: "the point you added lies in another class's region",
  move: "the point you moved lies in another class's region",
  link: "the link's points are not all in their own class's region",
};

/** The notice that says the sine was dropped, and why (one text per cause, so the same cause is not repeated). */
export function sineDroppedNotice(cause: OffTaskCause): string {
  return `Your points no longer follow the shown sine (${SINE_CAUSE[cause]}): scoring on your points only (free-hand, support-set MSE). "Back to the sine" samples K points from it again.`;
}

/** The notice that says the plane's true task was dropped, and why. */
export function planeDroppedNotice(cause: OffTaskCause): string {
  return `Your points no longer follow the true task (${PLANE_CAUSE[cause]}): scoring on your points only, no true-task accuracy. "Sample K points per class" brings the task back.`;
}
