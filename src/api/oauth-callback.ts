/**
 * @module api/oauth-callback
 * `GET /oauth/callback`: where an OAuth2 provider sends the browser back after login and
 * consent. Outside `/api` and without the API token (the browser has none): the request is
 * trusted only through its `state`, which is single-use, bound to one connection and to the
 * PKCE verifier, and expires after 10 minutes. Answers a small HTML page linking back to the UI.
 */
import type { FastifyInstance } from 'fastify';
import { completeAuthorization } from '../connections/index.js';
import { HookflowError, errorMessage } from '../errors.js';
import { statusForCode } from '../ingress/http-errors.js';
import type { ApiDeps } from './deps.js';

export function registerOAuthCallback(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/oauth/callback', async function oauthCallback(request, reply) {
    const params = new URL(request.url, 'http://callback').searchParams;
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    try {
      const name = await completeAuthorization(deps.connections, params);
      return page(
        `Connected ${name}`,
        `The connection <b>${escapeHtml(name)}</b> is authorized; jobs can use it now.`,
      );
    } catch (e) {
      const status = e instanceof HookflowError ? statusForCode(e.code) : 500;
      reply.code(status);
      return page('Not connected', escapeHtml(errorMessage(e)));
    }
  });
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)} · Hookflow</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>${escapeHtml(title)}</h1>
<p>${body}</p>
<p><a href="/">Back to Hookflow</a></p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
