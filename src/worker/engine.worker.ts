/// <reference lib="webworker" />
/**
 * The engine worker's entry: the engine (engine.ts) on the backend the browser offers, its messages posted to
 * the page. Speaks WorkerRequest/WorkerResponse only; a click's curves also go to the page's shared memory,
 * where it gave some (answer-slot.ts).
 */
import { AnswerSlot } from './answer-slot';
import { chooseBackend } from './backend';
import { WorkerEngine } from './engine';
import type { WorkerRequest, WorkerResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

let slot: AnswerSlot | null = null;

const post = (msg: WorkerResponse) => {
  if (msg.type === 'adapted') slot?.write(msg);
  self.postMessage(msg);
};

const engine = new WorkerEngine({ post, chooseBackend });

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  if (e.data.type === 'init') slot = e.data.answers ? new AnswerSlot(e.data.answers) : null;
  void engine.handle(e.data);
};
