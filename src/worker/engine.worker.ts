/// <reference lib="webworker" />
/**
 * The engine worker's entry: the engine (engine.ts) on the backend the browser offers, its messages posted to
 * the page. Speaks WorkerRequest/WorkerResponse only.
 */
import { chooseBackend } from './backend';
import { WorkerEngine } from './engine';
import type { WorkerRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const engine = new WorkerEngine({ post: (msg) => self.postMessage(msg), chooseBackend });

self.onmessage = (e: MessageEvent<WorkerRequest>) => void engine.handle(e.data);
