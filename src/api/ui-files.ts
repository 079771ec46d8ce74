/**
 * @module api/ui-files
 * The web UI at `/`: the static files Vite built into `dist/ui` (`npm run build`, which
 * `npm ci` and `npm start` run). The files are public — the UI asks for the API token and
 * sends it itself. Hashed assets are cached for good; `index.html` is revalidated, so a new
 * build shows at the next load. A strict Content-Security-Policy keeps the page to its own
 * scripts and this server's API.
 *
 * @example
 *   registerUiFiles(server, defaultUiDir());
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** `dist/ui` beside the running code: `dist/api/../ui` built, `src/api/../../dist/ui` from source. */
export function defaultUiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return import.meta.url.endsWith('.ts')
    ? join(here, '..', '..', 'dist', 'ui')
    : join(here, '..', 'ui');
}

export function registerUiFiles(server: FastifyInstance, dir: string): void {
  if (!existsSync(join(dir, 'index.html'))) {
    server.get('/', { schema: { hide: true } }, async function uiNotBuilt(_request, reply) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Hookflow</title><p>The web UI is not built. Run <code>npm run build</code>, then reload. The API is at <a href="/api/workflows">/api/workflows</a>.</p>',
        );
    });
    return;
  }
  void server.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per file found at start: any other path falls to the JSON 404.
    wildcard: false,
    index: ['index.html'],
    schemaHide: true,
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
