import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { compileTemplate } from '../../workflow/index.js';
import type { HttpPagination } from '../../workflow/types.js';
import type { StepContext } from '../types.js';
import { StepError } from '../types.js';
import { executeHttpStep } from './http-step.js';
import type { HttpPagesOutput } from './http-step.js';
import { parseLinkHeader, setQueryParam } from './paginate.js';
import { httpStep, startServer } from './testing.js';
import type { TestServer } from './testing.js';

const t = (source: string) => compileTemplate(source, 'steps.list.http.paginate');

/** 7 items, pages of `limit` (default 3), served four ways. */
const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

function paginate(fields: Partial<HttpPagination> & Pick<HttpPagination, 'next'>): HttpPagination {
  return { maxPages: 100, ...fields };
}

void describe('http step: pagination', () => {
  let server: TestServer;
  const agent = new Agent();
  const ctx: StepContext = { scope: {}, jobId: 'j', workflow: 'wf', dispatcher: agent };

  before(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.url, server.url);
      const q = url.searchParams;
      const limit = Number(q.get('limit') ?? 3);
      res.setHeader('content-type', 'application/json');
      const slice = (from: number) => ITEMS.slice(from, from + limit);
      switch (url.pathname) {
        case '/link': {
          // GitHub style: a bare list, the next page in the Link header.
          const page = Number(q.get('page') ?? 1);
          const from = (page - 1) * limit;
          if (from + limit < ITEMS.length)
            res.setHeader(
              'link',
              `</link?page=${page + 1}&limit=${limit}>; rel="next", </link?page=3>; rel="last"`,
            );
          return void res.end(JSON.stringify(slice(from)));
        }
        case '/next': {
          // A next URL in the body, absolute.
          const from = Number(q.get('from') ?? 0);
          const more = from + limit < ITEMS.length;
          return void res.end(
            JSON.stringify({
              data: slice(from),
              next: more ? `${server.url}/next?from=${from + limit}` : null,
            }),
          );
        }
        case '/cursor': {
          // Stripe style: starting_after the last id, has_more.
          const after = q.get('starting_after');
          const from = after === null ? 0 : ITEMS.indexOf(after) + 1;
          const data = slice(from).map((id) => ({ id }));
          return void res.end(JSON.stringify({ data, has_more: from + limit < ITEMS.length }));
        }
        case '/offset': {
          const from = Number(q.get('offset') ?? 0);
          return void res.end(JSON.stringify({ results: slice(from) }));
        }
        case '/same':
          return void res.end(JSON.stringify({ data: ['x'], next: '/same' }));
        case '/fail': {
          const page = Number(q.get('page') ?? 1);
          if (page === 2) {
            res.statusCode = 503;
            return void res.end('{"error":"down"}');
          }
          return void res.end(JSON.stringify({ data: ['p1'], next: '/fail?page=2' }));
        }
        default:
          res.statusCode = 404;
          return void res.end('{}');
      }
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  const run = async (url: string, p: HttpPagination, extra = {}) =>
    (await executeHttpStep(httpStep({ url: `${server.url}${url}`, paginate: p, ...extra }), ctx))
      .output as HttpPagesOutput;

  void test('next from the Link header: the items of every page, in order', async () => {
    const output = await run(
      '/link',
      paginate({ next: { kind: 'url', url: t('{{ links.next }}') } }),
    );
    assert.deepEqual(output.items, ITEMS);
    assert.equal(output.pages, 3);
    assert.equal(output.complete, true);
    assert.equal(output.status, 200);
  });

  void test('next from the body with items picked from it', async () => {
    const output = await run(
      '/next',
      paginate({ items: t('{{ body.data }}'), next: { kind: 'url', url: t('{{ body.next }}') } }),
    );
    assert.deepEqual(output.items, ITEMS);
    assert.equal(output.pages, 3);
  });

  void test('a cursor parameter with while: the next value until has_more is false', async () => {
    const output = await run(
      '/cursor',
      paginate({
        items: t('{{ body.data }}'),
        next: { kind: 'param', param: 'starting_after', value: t('{{ body.data[-1].id }}') },
        while: t('{{ body.has_more }}'),
      }),
    );
    assert.deepEqual(
      output.items.map((i) => (i as { id: string }).id),
      ITEMS,
    );
    const urls = server.requests.filter((r) => r.url.startsWith('/cursor')).map((r) => r.url);
    assert.deepEqual(urls, ['/cursor', '/cursor?starting_after=c', '/cursor?starting_after=f']);
  });

  void test('an offset parameter advanced by the items read so far, until an empty page', async () => {
    const output = await run(
      '/offset?offset=0&limit=3',
      paginate({
        items: t('{{ body.results }}'),
        next: { kind: 'param', param: 'offset', value: t('{{ page.total }}') },
        while: t('{{ $count(page.items) > 0 }}'),
      }),
    );
    assert.deepEqual(output.items, ITEMS);
    assert.equal(output.pages, 4); // the fourth, empty page ends it
  });

  void test('max_pages stops early and says the list is not complete', async () => {
    const output = await run(
      '/link',
      paginate({ next: { kind: 'url', url: t('{{ links.next }}') }, maxPages: 2 }),
    );
    assert.deepEqual(output.items, ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.equal(output.pages, 2);
    assert.equal(output.complete, false);
  });

  void test('a body that is not a list, without items, fails saying to set items', async () => {
    await assert.rejects(
      run('/next', paginate({ next: { kind: 'url', url: t('{{ body.next }}') } })),
      (e: unknown) =>
        e instanceof StepError &&
        e.code === 'pagination_failed' &&
        /set paginate\.items/.test(e.message),
    );
  });

  void test('a next page that was read already fails instead of looping', async () => {
    await assert.rejects(
      run(
        '/same',
        paginate({ items: t('{{ body.data }}'), next: { kind: 'url', url: t('{{ body.next }}') } }),
      ),
      (e: unknown) =>
        e instanceof StepError &&
        e.code === 'pagination_failed' &&
        /does not advance/.test(e.message),
    );
  });

  void test('a page that fails fails the step with the items read before it', async () => {
    await assert.rejects(
      run(
        '/fail',
        paginate({ items: t('{{ body.data }}'), next: { kind: 'url', url: t('{{ body.next }}') } }),
      ),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'http_status');
        assert.match(e.message, /^page 2: GET .*503$/);
        const out = e.output as HttpPagesOutput;
        assert.deepEqual(out.items, ['p1']);
        assert.equal(out.status, 503);
        return true;
      },
    );
  });

  void test('with errors: continue a failing page ends the list, status and body kept for branching', async () => {
    const output = await run(
      '/fail',
      paginate({ items: t('{{ body.data }}'), next: { kind: 'url', url: t('{{ body.next }}') } }),
      { errors: 'continue' },
    );
    assert.equal(output.status, 503);
    assert.deepEqual(output.items, ['p1']);
    assert.deepEqual(output.body, { error: 'down' });
    assert.equal(output.complete, false);
    assert.equal(output.pages, 1);
  });

  void test('the recorded input lists every page URL', async () => {
    const { input } = await executeHttpStep(
      httpStep({
        url: `${server.url}/link`,
        paginate: paginate({ next: { kind: 'url', url: t('{{ links.next }}') } }),
      }),
      ctx,
    );
    assert.deepEqual(
      (input as { pages: string[] }).pages.map((u) => u.replace(server.url, '')),
      ['/link', '/link?page=2&limit=3', '/link?page=3&limit=3'],
    );
  });
});

void describe('pagination helpers', () => {
  void test('parseLinkHeader reads every rel of RFC 8288 links', () => {
    assert.deepEqual(
      parseLinkHeader('<https://api.x/i?page=2>; rel="next", <https://api.x/i?page=9>; rel=last'),
      { next: 'https://api.x/i?page=2', last: 'https://api.x/i?page=9' },
    );
    assert.deepEqual(parseLinkHeader(undefined), {});
  });

  void test('setQueryParam replaces one parameter of a relative or absolute URL', () => {
    assert.equal(
      setQueryParam('/items?limit=3&offset=0', 'offset', '3'),
      '/items?limit=3&offset=3',
    );
    assert.equal(setQueryParam('https://x/items#top', 'page', '2'), 'https://x/items?page=2#top');
  });
});
