/**
 * Hash routes (`#/jobs/01J…`): the server serves one page and never needs to know the UI's
 * paths, and a reload or a shared link opens the same view. Pure: `router.ts` binds them to
 * the window.
 */

export type Route =
  | { page: 'workflows' }
  | { page: 'workflow'; name: string; tab: 'jobs' | 'datatree' | 'definition' }
  | { page: 'jobs' }
  | { page: 'failed' }
  | { page: 'job'; id: string }
  | { page: 'connections' }
  | { page: 'import' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  if (first === 'workflows' && second) {
    const tab = third === 'datatree' || third === 'definition' ? third : 'jobs';
    return { page: 'workflow', name: second, tab };
  }
  if (first === 'jobs' && second) return { page: 'job', id: second };
  if (first === 'jobs') return { page: 'jobs' };
  if (first === 'failed') return { page: 'failed' };
  if (first === 'connections') return { page: 'connections' };
  if (first === 'import') return { page: 'import' };
  return { page: 'workflows' };
}

export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case 'workflows':
      return '#/';
    case 'workflow':
      return `#/workflows/${e(route.name)}${route.tab === 'jobs' ? '' : `/${route.tab}`}`;
    case 'jobs':
      return '#/jobs';
    case 'failed':
      return '#/failed';
    case 'job':
      return `#/jobs/${e(route.id)}`;
    case 'connections':
      return '#/connections';
    case 'import':
      return '#/import';
  }
}
