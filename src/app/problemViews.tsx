/**
 * The panels each problem's tab shows, by the view ids in its catalog entry (PROBLEM_INFO[p].view): adding a
 * problem with new panels adds them here.
 */
import type { ComponentType } from 'react';
import type { ProblemInfo } from '../meta/contracts/problems';
import { ClassMetricsPanel } from '../panels/ClassMetricsPanel';
import { GlyphPanel } from '../panels/GlyphPanel';
import { LossPanel } from '../panels/LossPanel';
import { PlanePanel } from '../panels/PlanePanel';
import { TaskPanel } from '../panels/TaskPanel';
import { UpdateModelsPanel } from '../panels/UpdateModelsPanel';
import { UpdatePanel } from '../panels/UpdatePanel';

export const MAIN_PANELS: Record<ProblemInfo['view']['main'], ComponentType> = { task: TaskPanel, plane: PlanePanel, glyphs: GlyphPanel, update: UpdatePanel };
export const METRICS_PANELS: Record<ProblemInfo['view']['metrics'], ComponentType> = { loss: LossPanel, class: ClassMetricsPanel, models: UpdateModelsPanel };
