import type { Ctx, ErrorStyle } from './http';

export type Handler = (ctx: Ctx) => void | Promise<void>;

export interface RouteDef {
  method: string;
  /** Path template such as `/api/v2/scim/v2/users/{id}`; also the key of the request log. */
  template: string;
  style: ErrorStyle;
  /** Requires a bearer token (and so counts against the rate limit). */
  auth: boolean;
  handler: Handler;
}

interface CompiledRoute extends RouteDef {
  regex: RegExp;
  names: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDef; params: Record<string, string> }
  | { kind: 'method'; template: string; style: ErrorStyle; allowed: string[] }
  | { kind: 'none' };

/** A route table for one listener; first match wins, so literal routes go before parameterised ones. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(def: RouteDef): this {
    const names: string[] = [];
    const source = def.template
      .split('/')
      .map((seg) => {
        const m = /^\{(\w+)\}$/.exec(seg);
        if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ ...def, regex: new RegExp(`^${source}$`), names });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    let allowed: string[] | undefined;
    let pathRoute: CompiledRoute | undefined;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method === method) {
        const params: Record<string, string> = {};
        for (let i = 0; i < r.names.length; i++) {
          try {
            params[r.names[i]] = decodeURIComponent(m[i + 1]);
          } catch {
            params[r.names[i]] = m[i + 1];
          }
        }
        return { kind: 'found', route: r, params };
      }
      pathRoute ??= r;
      (allowed ??= []).push(r.method);
    }
    if (pathRoute && allowed) {
      return { kind: 'method', template: pathRoute.template, style: pathRoute.style, allowed };
    }
    return { kind: 'none' };
  }
}
