/**
 * @module api/datatree
 * `GET /api/workflows/NAME/datatree`: the pills of the trigger and of each http step, from
 * their examples (docs/datatree.md):
 * `{workflow, sources: [{source: 'trigger' | 'steps.<id>', pills: [{path, type, sample}]}]}`.
 */
import type { FastifyInstance } from 'fastify';
import { buildDatatree, datatreeBody } from '../datatree/index.js';
import { HookflowError } from '../errors.js';
import type { Workflow } from '../workflow/types.js';
import type { ApiDeps } from './deps.js';

export function registerDatatreeRoutes(api: FastifyInstance, deps: ApiDeps): void {
  // A loaded workflow never changes (a change replaces the object), so its tree is kept with it.
  const trees = new WeakMap<Workflow, Promise<ReturnType<typeof datatreeBody>>>();

  api.get<{ Params: { name: string } }>('/workflows/:name/datatree', async (request) => {
    const wf = deps.registry.get(request.params.name);
    if (!wf) throw new HookflowError('not_found', `no workflow named '${request.params.name}'`);
    let tree = trees.get(wf);
    if (!tree) {
      tree = buildDatatree(wf).then(datatreeBody);
      trees.set(wf, tree);
    }
    return tree;
  });
}
