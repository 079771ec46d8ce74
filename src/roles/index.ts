/**
 * @module roles
 * What a process runs: the ingress role (HTTP face, API, UI; commits what comes in), the
 * worker role (claims and runs jobs), and the embedded arrangement of the two on one process
 * (the worker on a thread). `app.ts` picks by `--role`.
 */
export { openIngress } from './ingress/ingress.js';
export type { Ingress, IngressOptions } from './ingress/ingress.js';
export { createHttpServer, listenOn } from './ingress/http-server.js';
export { openWorker } from './worker/worker.js';
export type { WorkerOptions, WorkerRole } from './worker/worker.js';
export { startWorkerThread, toDoc } from './embedded/worker-thread.js';
export type { WorkerThread, WorkerThreadOptions } from './embedded/worker-thread.js';
export { serveWrites } from './embedded/forwarded-writes.js';
