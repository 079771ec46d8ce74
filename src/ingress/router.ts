/**
 * @module ingress/router
 * Matches `/hooks/<path>` to a workflow: multi-segment paths, `:param` segments, one workflow
 * per path and method. A static segment beats a parameter at the same position, so
 * `orders/new` wins over `orders/:id`.
 */
import { HookflowError } from '../errors.js';
import type { Workflow } from '../workflow/types.js';

export type RouteMatch =
  | { kind: 'match'; workflow: Workflow; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

interface Route {
  segments: string[];
  byMethod: Map<string, Workflow>;
}

export interface RouteEntry {
  path: string;
  method: string;
  workflow: Workflow;
}

export class RouteTable {
  private readonly exact = new Map<string, Route>();
  private readonly patterns: Route[] = [];

  constructor(entries: readonly RouteEntry[]) {
    const byPattern = new Map<string, Route>();
    for (const e of entries) {
      const segments = splitPath(e.path);
      const key = segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/');
      let route = byPattern.get(key);
      if (!route) byPattern.set(key, (route = { segments, byMethod: new Map() }));
      const other = route.byMethod.get(e.method);
      if (other) {
        throw new HookflowError(
          'route_conflict',
          `workflows '${other.name}' and '${e.workflow.name}' both serve ${e.method} /hooks/${e.path}`,
        );
      }
      route.byMethod.set(e.method, e.workflow);
    }
    for (const route of byPattern.values()) {
      if (route.segments.some((s) => s.startsWith(':'))) this.patterns.push(route);
      else this.exact.set(route.segments.join('/'), route);
    }
    // Most specific first: compare segment by segment, static before parameter.
    this.patterns.sort((a, b) => {
      const n = Math.min(a.segments.length, b.segments.length);
      for (let i = 0; i < n; i++) {
        const pa = a.segments[i]!.startsWith(':') ? 1 : 0;
        const pb = b.segments[i]!.startsWith(':') ? 1 : 0;
        if (pa !== pb) return pa - pb;
      }
      return a.segments.length - b.segments.length;
    });
  }

  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    let route = this.exact.get(segments.join('/'));
    let params: Record<string, string> = {};
    if (!route) {
      for (const r of this.patterns) {
        const p = matchSegments(r.segments, segments);
        if (p) {
          route = r;
          params = p;
          break;
        }
      }
    }
    if (!route) return { kind: 'not_found' };
    const workflow = route.byMethod.get(method);
    if (!workflow) return { kind: 'method_not_allowed', allow: [...route.byMethod.keys()].sort() };
    return { kind: 'match', workflow, params };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (p !== s) return null;
  }
  return params;
}
