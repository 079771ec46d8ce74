/**
 * @module api/workflows
 * `/api/workflows`: the loaded workflows with their webhook URLs and the status of their
 * newest job. Changes (put, delete, enable, disable) are in `workflow-changes.ts`.
 */
import type { FastifyInstance } from 'fastify';
import { HookflowError } from '../errors.js';
import type { Workflow } from '../workflow/types.js';
import type { ApiDeps } from './deps.js';
import { describeTimedTrigger } from './timed-trigger.js';
import { nameParams, versionList, withErrors, workflowDetail, workflowList } from './schemas.js';
import { workflowVersion } from '../workflow/index.js';

export function registerWorkflowRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get(
    '/workflows',
    { schema: { summary: 'List workflows', response: withErrors({ 200: workflowList }) } },
    async () => {
      const workflows = await Promise.all(
        deps.registry.list().map(async (wf) => ({
          ...describeWorkflow(deps, wf),
          lastJobStatus: await deps.store.lastJobStatus(wf.name),
        })),
      );
      return { workflows };
    },
  );

  api.get<{ Params: { name: string } }>(
    '/workflows/:name',
    {
      schema: {
        summary: 'One workflow, with its document as written',
        params: nameParams,
        response: withErrors({ 200: workflowDetail }),
      },
    },
    async (request) => {
      const wf = deps.registry.get(request.params.name);
      if (!wf) throw new HookflowError('not_found', `no workflow named '${request.params.name}'`);
      return describeWorkflowDetail(deps, wf);
    },
  );

  api.get<{ Params: { name: string } }>(
    '/workflows/:name/versions',
    {
      schema: {
        summary: 'The versions of a workflow, newest first, with their first and last job',
        params: nameParams,
        response: withErrors({ 200: versionList }),
      },
    },
    async (request) => {
      const { name } = request.params;
      const wf = deps.registry.get(name);
      const versions = await deps.store.listWorkflowVersions(name);
      if (!wf && versions.length === 0) {
        throw new HookflowError('not_found', `no workflow named '${name}'`);
      }
      return { current: wf ? workflowVersion(wf) : null, versions };
    },
  );
}

/** `GET /api/workflows/NAME`'s answer: the list entry plus the document as written. */
export async function describeWorkflowDetail(deps: ApiDeps, wf: Workflow) {
  return {
    ...describeWorkflow(deps, wf),
    lastJobStatus: await deps.store.lastJobStatus(wf.name),
    source: wf.source,
  };
}

export function describeWorkflow(deps: ApiDeps, wf: Workflow) {
  const path = deps.registry.pathOf(wf.name) ?? null;
  const t = wf.trigger;
  return {
    name: wf.name,
    enabled: wf.enabled,
    origin: deps.catalog.origin(wf.name) ?? 'file',
    file: wf.file ?? null,
    trigger:
      t.type === 'webhook' || t.type === 'connector'
        ? {
            type: t.type,
            ...(t.type === 'connector'
              ? {
                  connector: t.connector,
                  trigger: t.trigger,
                  lifecycle: deps.lifecycle?.statusOf(wf) ?? null,
                }
              : { method: t.method }),
            path,
            url: path === null ? null : `${deps.baseUrl()}/hooks/${path}`,
            delivery: t.delivery,
          }
        : describeTimedTrigger(t, deps.triggers?.status(wf.name)),
    steps: wf.steps.map((s) => ({ id: s.id, type: s.type })),
  };
}
