import { execFileSync, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface GitHttpRequest {
  method: string;
  path: string;
  authorized: boolean;
}

export interface GitHttpServer {
  /** Clone URL of a repository under `reposDir` (e.g. `url('repo.git')`). */
  url(repoName: string): string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  reposDir: string;
  /** The token git must present, or a test of it (for tokens that rotate during a test). */
  token: string | ((token: string) => boolean);
  /** Branch names whose updates a pre-receive hook declines, as GitHub's branch protection does. */
  protectedBranches?: string[];
  /** A wait before serving each authorised request (its token was checked on arrival): a slow network. */
  latencyMs?: number;
}

/**
 * A git smart-HTTP server on loopback: `git http-backend` behind a Node
 * server that accepts only `Authorization: Basic base64(x-access-token:<token>)`,
 * the way GitHub authenticates HTTPS git with a token.
 */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const backend = join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
  const accepts = (header: string | undefined): boolean => {
    const match = /^Basic (\S+)$/.exec(header ?? '');
    if (!match?.[1]) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    if (!decoded.startsWith('x-access-token:')) return false;
    const token = decoded.slice('x-access-token:'.length);
    return typeof options.token === 'string' ? token === options.token : options.token(token);
  };
  const requests: GitHttpRequest[] = [];
  const prepared = new Set<string>();
  const running = new Set<ChildProcess>();

  function prepare(repoName: string): void {
    const repo = join(options.reposDir, repoName);
    if (prepared.has(repo) || !existsSync(join(repo, 'HEAD'))) return;
    prepared.add(repo);
    execFileSync('git', ['config', 'http.receivepack', 'true'], { cwd: repo, env: serverEnv() });
    if (options.protectedBranches?.length) installProtection(repo, options.protectedBranches);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = accepts(req.headers.authorization);
    requests.push({ method: req.method ?? '', path: url.pathname, authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    if (options.latencyMs) setTimeout(() => serve(req, res, url), options.latencyMs);
    else serve(req, res, url);
  }

  function serve(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const pathInfo = decodeURIComponent(url.pathname);
    // The repository is the shortest leading part of the path that is a git directory (`owner/name.git` nests).
    const segments = pathInfo.split('/').filter(Boolean);
    for (let i = 1; i <= segments.length; i++) {
      const candidate = segments.slice(0, i).join('/');
      if (existsSync(join(options.reposDir, candidate, 'HEAD'))) {
        prepare(candidate);
        break;
      }
    }
    const env: Record<string, string> = {
      ...serverEnv(),
      GIT_PROJECT_ROOT: options.reposDir,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: pathInfo,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'x-access-token',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    };
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    // http-backend inflates gzip bodies itself when told the encoding.
    const encoding = req.headers['content-encoding'];
    if (typeof encoding === 'string') env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.HTTP_GIT_PROTOCOL = protocol;

    const child = spawn(backend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    child.on('close', () => running.delete(child));
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    req.pipe(child.stdin);
    streamCgiResponse(child, res);
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: (repoName) => `http://127.0.0.1:${port}/${repoName}`,
    requests,
    async close() {
      for (const child of running) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Parses the CGI header block (`Status:` and headers) and streams the body after it. */
function streamCgiResponse(child: ChildProcessWithoutNullStreams, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end));
  });
  child.on('close', () => {
    if (!headersDone) {
      res.writeHead(500);
    }
    res.end();
  });
}

/** The server's git must not pick up the test process's (possibly hostile) global config. */
function serverEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
}

function installProtection(repo: string, branches: string[]): void {
  const refs = branches.map((branch) => `'refs/heads/${branch.replace(/'/g, `'\\''`)}'`).join('|');
  const hook = [
    '#!/bin/sh',
    'status=0',
    'while read old new ref; do',
    '  case "$ref" in',
    `    ${refs})`,
    '      echo "error: GH006: Protected branch update failed for $ref." >&2',
    '      echo "error: protected branch hook declined" >&2',
    '      status=1 ;;',
    '  esac',
    'done',
    'exit $status',
    '',
  ].join('\n');
  mkdirSync(join(repo, 'hooks'), { recursive: true });
  writeFileSync(join(repo, 'hooks', 'pre-receive'), hook);
  chmodSync(join(repo, 'hooks', 'pre-receive'), 0o755);
}

/** An environment for the tests' own git commands: no user config, a fixed identity. */
export function testGitEnv(who = 'Human Dev', email = 'human@example.com'): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: who,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: who,
    GIT_COMMITTER_EMAIL: email,
    GIT_TERMINAL_PROMPT: '0',
  };
}

export function git(cwd: string, args: string[], env: Record<string, string> = testGitEnv()): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Creates the bare repository `reposDir/name` whose `branch` holds `files`
 * in one commit by a human; returns the commit.
 */
export function createBareRepo(reposDir: string, name: string, files: Record<string, string>, branch = 'main'): string {
  const bare = join(reposDir, name);
  mkdirSync(bare, { recursive: true });
  git(bare, ['init', '--quiet', '--bare', `--initial-branch=${branch}`]);
  const work = mkdtempSync(join(tmpdir(), 'shipshape-seed-'));
  git(work, ['init', '--quiet', `--initial-branch=${branch}`]);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
  }
  git(work, ['add', '--all']);
  git(work, ['commit', '--quiet', '-m', 'initial']);
  git(work, ['push', '--quiet', bare, `HEAD:refs/heads/${branch}`]);
  const sha = git(work, ['rev-parse', 'HEAD']).trim();
  rmSync(work, { recursive: true, force: true });
  return sha;
}

/** Every file below `dir`, by relative path: the contents for `createBareRepo`. */
export function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files[relative(dir, full)] = readFileSync(full, 'utf8');
  }
  return files;
}
