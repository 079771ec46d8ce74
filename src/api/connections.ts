/**
 * @module api/connections
 * `/api/connections` (§5, §8): list and get connections (secrets never returned), create or
 * replace one from its YAML/JSON text (PUT), delete it, test it, and start an OAuth2
 * authorization. Connections defined by files are read-only here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConnectionFileError, startAuthorization, testConnection } from '../connections/index.js';
import type { Connection, ConnectionRegistry } from '../connections/index.js';
import { errorBody } from '../ingress/http-errors.js';
import type { Step, Workflow } from '../workflow/types.js';
import type { ApiDeps } from './deps.js';
import { acceptDocuments, documentOf } from './document-body.js';

type Named = { Params: { name: string } };

export function registerConnectionRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { connections } = deps;

  api.get('/connections', async () => ({
    connections: connections.list().map((c) => describeConnection(connections, c)),
  }));

  api.get<Named>('/connections/:name', async (request) => {
    const c = connections.lookup(request.params.name).connection;
    return {
      ...describeConnection(connections, c),
      allow_private: c.allowPrivate,
      ...(c.oauth2?.grant === 'authorization_code' && { redirect_uri: redirectUri(deps) }),
      settings: c.settings,
    };
  });

  // YAML and JSON are read by one reader, with lines.
  void api.register(async function connectionDocuments(scope) {
    acceptDocuments(scope);
    scope.put<Named & { Body: string }>('/connections/:name', async (request, reply) => {
      const { text } = documentOf(request);
      try {
        const { connection, created } = await connections.put(request.params.name, text);
        return reply.code(created ? 201 : 200).send({
          ...describeConnection(connections, connection),
          settings: connection.settings,
        });
      } catch (e) {
        if (e instanceof ConnectionFileError) return sendProblems(reply, e);
        throw e;
      }
    });
  });

  api.delete<Named>('/connections/:name', async (request, reply) => {
    const { name } = request.params;
    const usedBy = deps.registry
      .list()
      .filter((wf) => usesConnection(wf, name))
      .map((wf) => wf.name);
    await connections.remove(name, usedBy);
    return reply.code(204).send();
  });

  api.post<Named>('/connections/:name/test', async (request) => {
    connections.lookup(request.params.name);
    return testConnection(connections, request.params.name);
  });

  api.get<Named>('/connections/:name/authorize', async (request, reply) => {
    const url = await startAuthorization(connections, request.params.name, redirectUri(deps));
    if (wantsJson(request)) return { url };
    return reply.redirect(url, 302);
  });
}

/** What the list shows of a connection: never a secret. */
export function describeConnection(connections: ConnectionRegistry, c: Connection) {
  const { state, message } = connections.status(c.name);
  return {
    name: c.name,
    type: c.type,
    grant: c.oauth2?.grant ?? null,
    base_url: c.baseUrl,
    state,
    message,
    file: c.file,
  };
}

/** The redirect URI registered at the provider: HOOKFLOW_PUBLIC_URL, else the server's own URL. */
export function redirectUri(deps: ApiDeps): string {
  return `${deps.baseUrl()}/oauth/callback`;
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('application/json');
}

function sendProblems(reply: FastifyReply, e: ConnectionFileError) {
  return reply.code(400).send(
    errorBody(e.code, `the connection does not validate:\n${e.message}`, {
      problems: e.problems,
    }),
  );
}

/** Whether the workflow's trigger or any step (inside switches too) names the connection. */
function usesConnection(wf: Workflow, name: string): boolean {
  const t = wf.trigger;
  if (t.type === 'connector' && t.connection === name) return true;
  if (t.type === 'poll' && t.request.connection === name) return true;
  return stepsUse(wf.steps, name);
}

function stepsUse(steps: readonly Step[], name: string): boolean {
  return steps.some(
    (s) =>
      ((s.type === 'http' || s.type === 'action') && s.connection === name) ||
      (s.type === 'switch' && s.cases.some((c) => stepsUse(c.steps, name))),
  );
}
