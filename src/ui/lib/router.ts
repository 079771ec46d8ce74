/** The current hash route as React state, and navigation. */
import { useEffect, useState } from 'react';
import { href, parseRoute } from './routes.js';
import type { Route } from './routes.js';

export { href, parseRoute } from './routes.js';
export type { Route } from './routes.js';

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
