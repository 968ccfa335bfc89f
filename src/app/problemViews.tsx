/**
 * The panels each problem's tab shows, by the view ids in its catalog entry (PROBLEM_INFO[p].view): adding a
 * problem with new panels adds them here.
 *
 * The first screen (the sinusoid's task and loss panels) is in the page's first bundle; every other tab's panels
 * are their own chunks, loaded when their tab is first shown (and precached for offline use like every asset), so
 * the page's start-up parses and renders only what it draws first (issue 17, target 4). App renders each inside
 * a Suspense boundary.
 */
import { lazy, type ComponentType } from 'react';
import type { ProblemInfo } from '../meta/contracts/problems';
import { LossPanel } from '../panels/LossPanel';
import { TaskPanel } from '../panels/TaskPanel';

const ClassMetricsPanel = lazy(() => import('../panels/ClassMetricsPanel').then((m) => ({ default: m.ClassMetricsPanel })));
const GlyphPanel = lazy(() => import('../panels/GlyphPanel').then((m) => ({ default: m.GlyphPanel })));
const PlanePanel = lazy(() => import('../panels/PlanePanel').then((m) => ({ default: m.PlanePanel })));
const UpdateModelsPanel = lazy(() => import('../panels/UpdateModelsPanel').then((m) => ({ default: m.UpdateModelsPanel })));
const UpdatePanel = lazy(() => import('../panels/UpdatePanel').then((m) => ({ default: m.UpdatePanel })));

export const MAIN_PANELS: Record<ProblemInfo['view']['main'], ComponentType> = { task: TaskPanel, plane: PlanePanel, glyphs: GlyphPanel, update: UpdatePanel };
export const METRICS_PANELS: Record<ProblemInfo['view']['metrics'], ComponentType> = { loss: LossPanel, class: ClassMetricsPanel, models: UpdateModelsPanel };
