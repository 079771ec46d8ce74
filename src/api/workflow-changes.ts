/**
 * @module api/workflow-changes
 * Changing workflows over the API: `PUT /api/workflows/NAME` (the document as YAML or JSON
 * text), `DELETE`, and `POST …/enable|disable`. Each goes through the catalog, which checks,
 * persists (so it survives a restart) and then applies the change to the registry, whose
 * listeners run the trigger lifecycle.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { acceptDocuments, documentOf } from './document-body.js';
import { nameParams, withErrors, workflowDetail, workflowDocument } from './schemas.js';
import { describeWorkflowDetail } from './workflows.js';

type ByName = { Params: { name: string } };

export function registerWorkflowChangeRoutes(api: FastifyInstance, deps: ApiDeps): void {
  void api.register(async function workflowDocuments(scope) {
    acceptDocuments(scope);
    scope.put<ByName>(
      '/workflows/:name',
      {
        schema: {
          summary: 'Create or replace a workflow from its document',
          description:
            'A workflow defined by a file cannot be replaced (409 conflict). An invalid document is 400 invalid_workflow with `problems`.',
          params: nameParams,
          body: workflowDocument,
          response: withErrors({ 200: workflowDetail, 201: workflowDetail }),
        },
      },
      async (request, reply) => {
        const { text, format } = documentOf(request);
        const { created, workflow } = await deps.catalog.put(request.params.name, text, format);
        return reply.code(created ? 201 : 200).send(await describeWorkflowDetail(deps, workflow));
      },
    );
  });

  api.delete<ByName>(
    '/workflows/:name',
    {
      schema: {
        summary: 'Delete a workflow pushed over the API',
        description: 'Its jobs are kept. A workflow defined by a file is 409 conflict.',
        params: nameParams,
        response: withErrors({ 204: { type: 'null', description: 'deleted' } }),
      },
    },
    async (request, reply) => {
      await deps.catalog.remove(request.params.name);
      return reply.code(204).send();
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    api.post<ByName>(
      `/workflows/:name/${action}`,
      {
        schema: {
          summary: `${action === 'enable' ? 'Enable' : 'Disable'} a workflow (kept across restarts)`,
          params: nameParams,
          response: withErrors({ 200: workflowDetail }),
        },
      },
      async (request) => {
        const wf = await deps.catalog.setEnabled(request.params.name, action === 'enable');
        return describeWorkflowDetail(deps, wf);
      },
    );
  }
}
