/**
 * @module api
 * The management API (§8): JSON over HTTP under `/api`, a bearer token when
 * `HOOKFLOW_API_TOKEN` is set. Errors use the shape of `ingress/http-errors`. Each resource
 * registers its routes from its own file (`workflows.ts`, `jobs.ts`, …) on the `/api` scope.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { registerDatatreeRoutes } from './datatree.js';
import { registerConnectionRoutes } from './connections.js';
import { registerJobRoutes } from './jobs.js';
import { registerListenRoutes } from './listen.js';
import { acceptJsonBodies } from './json-body.js';
import { registerOAuthCallback } from './oauth-callback.js';
import { registerHealthRoute } from './health.js';
import { registerMetricsRoute } from './metrics-route.js';
import { registerOpenApiRoute } from './openapi.js';
import { registerReplayRoutes } from './replays.js';
import { requireToken } from './token.js';
import { formatSchemaErrors } from './validation.js';
import { registerWorkflowChangeRoutes } from './workflow-changes.js';
import { registerWorkflowRoutes } from './workflows.js';

export type { ApiDeps } from './deps.js';
export { registerOpenApi } from './openapi.js';
export { guardBrowserRequests } from './browser-guard.js';
export { defaultUiDir, registerUiFiles } from './ui-files.js';

/** `/healthz` and `/metrics`: what every role serves, a worker nothing else. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: Pick<ApiDeps, 'metrics' | 'apiToken'> & { store?: Pick<ApiDeps['store'], 'ping'> },
): void {
  registerHealthRoute(app, deps.store);
  if (deps.metrics) registerMetricsRoute(app, deps.metrics, deps.apiToken);
}

export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  registerOAuthCallback(app, deps);
  registerHealthRoutes(app, deps);
  registerOpenApiRoute(app);

  void app.register(
    async function apiRoutes(api) {
      api.setSchemaErrorFormatter(formatSchemaErrors);
      acceptJsonBodies(api);
      if (deps.apiToken) api.addHook('onRequest', requireToken(deps.apiToken));
      registerWorkflowRoutes(api, deps);
      registerJobRoutes(api, deps);
      registerReplayRoutes(api, deps);
      registerDatatreeRoutes(api, deps);
      registerConnectionRoutes(api, deps);
      registerWorkflowChangeRoutes(api, deps);
      registerListenRoutes(api, deps);
    },
    { prefix: '/api' },
  );
}
