import { createServer, type Server } from 'node:http';

export type ComponentState = () => { ok: boolean; detail?: string };

/**
 * Liveness for process supervisors: `GET /livez` answers 200 while every component reports ok, 503 with
 * the failing ones otherwise. Anything else is 404.
 */
export function startHealthServer(port: number, components: Record<string, ComponentState>): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/livez' && req.url !== '/healthz')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found', hint: 'GET /livez' }));
      return;
    }
    const states = Object.fromEntries(Object.entries(components).map(([name, state]) => [name, state()]));
    const ok = Object.values(states).every((s) => s.ok);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ok ? 'ok' : 'failing', components: states }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
