/**
 * @module api
 * The management API (§8): JSON over HTTP under `/api`, a bearer token when
 * `HOOKFLOW_API_TOKEN` is set. Errors use the shape of `ingress/http-errors`. Each resource
 * registers its routes from its own file (`workflows.ts`, `jobs.ts`, …) on the `/api` scope.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookflowError } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { registerDatatreeRoutes } from './datatree.js';
import { registerConnectionRoutes } from './connections.js';
import { registerJobRoutes } from './jobs.js';
import { registerOAuthCallback } from './oauth-callback.js';
import { registerWorkflowRoutes } from './workflows.js';

export type { ApiDeps } from './deps.js';

export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/healthz', async () => ({ ok: true }));
  registerOAuthCallback(app, deps);

  void app.register(
    async function apiRoutes(api) {
      if (deps.apiToken) {
        const expected = Buffer.from(deps.apiToken);
        api.addHook('onRequest', async function requireToken(request) {
          if (!tokenMatches(request, expected)) {
            throw new HookflowError(
              'unauthorized',
              'missing or wrong bearer token (HOOKFLOW_API_TOKEN)',
            );
          }
        });
      }
      registerWorkflowRoutes(api, deps);
      registerJobRoutes(api, deps);
      registerDatatreeRoutes(api, deps);
      registerConnectionRoutes(api, deps);
    },
    { prefix: '/api' },
  );
}

function tokenMatches(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length).trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
