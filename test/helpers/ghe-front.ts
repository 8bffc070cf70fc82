import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GheFront {
  /** `127.0.0.1:PORT`, for GHE_HOST (with GHE_PROTOCOL=http). */
  host: string;
  close(): Promise<void>;
}

/**
 * One host in front of the fake REST API and the git server, as a GitHub
 * Enterprise Server is one host: `/api/v3/…` goes to the API, everything
 * else (`/owner/repo.git/…`) to git. The App is pointed at it through
 * GHE_HOST alone.
 */
export async function startGheFront(targets: { api: string; git: string }): Promise<GheFront> {
  const api = new URL(targets.api);
  const git = new URL(targets.git);
  function forward(req: IncomingMessage, res: ServerResponse): void {
    const target = (req.url ?? '/').startsWith('/api/v3/') ? api : git;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: `${target.hostname}:${target.port}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
