import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type ComponentState = () => { ok: boolean; detail?: string };

/** Answers a request it serves (true) or leaves it to the next one (false). */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * The bridge's one HTTP server, run by the worker process. Liveness for process supervisors: `GET /livez`
 * answers 200 while every component reports ok, 503 with the failing ones otherwise. Other paths go to the
 * handlers in order (the SAML IdP and token broker); anything none of them serves is 404.
 */
export function startHttpServer(
  listen: { port: number; host?: string },
  components: Record<string, ComponentState>,
  handlers: HttpHandler[] = [],
): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && (req.url === '/livez' || req.url === '/healthz')) {
        const states = Object.fromEntries(Object.entries(components).map(([name, state]) => [name, state()]));
        const ok = Object.values(states).every((s) => s.ok);
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'failing', components: states }));
        return;
      }
      for (const handle of handlers) if (await handle(req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found', hint: 'GET /livez' }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host ?? '127.0.0.1', () => resolve(server));
  });
}
