import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspace, WorkspaceError, type WorkspaceOptions } from '../../src/workspace/index.js';
import { createBareRepo } from '../helpers/git-http-server.js';

const SOURCES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'workspace');

let root: string;
let childScript: string;
const children: ChildProcess[] = [];

/**
 * The child runs the real workspace code; Node 20 cannot run TypeScript, so
 * the module's files are transpiled (types stripped, nothing else) first.
 */
function compileWorkspace(out: string): void {
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(SOURCES).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(SOURCES, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shipshape-signaltest-'));
  const out = join(root, 'workspace');
  compileWorkspace(out);
  childScript = join(root, 'child.mjs');
  writeFileSync(
    childScript,
    [
      `import { openWorkspace } from ${JSON.stringify(join(out, 'index.js'))};`,
      'const ws = await openWorkspace(JSON.parse(process.argv[2]));',
      'process.stdout.write(JSON.stringify({ dir: ws.dir }) + "\\n");',
      // Stay busy until a signal arrives; only the workspace's own handler may end the process.
      'setInterval(() => {}, 1000);',
      '',
    ].join('\n'),
  );
  mkdirSync(join(root, 'repos'));
  createBareRepo(join(root, 'repos'), 'r.git', { 'a.txt': 'a\n' });
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function options(lockDir: string): WorkspaceOptions {
  return { remote: { url: join(root, 'repos', 'r.git'), env: {} }, base: 'main', bot: { name: 'bot', email: 'bot@example.com' }, lockDir };
}

async function firstLine(child: ChildProcess): Promise<string> {
  let text = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  for await (const chunk of child.stdout ?? []) {
    text += String(chunk);
    if (text.includes('\n')) return text.split('\n')[0] ?? '';
  }
  throw new Error(`child ended before opening a workspace: ${errors}`);
}

describe.each(['SIGINT', 'SIGTERM'] as const)('a process interrupted by %s', (signal) => {
  it('removes its workspace and lock, then ends by the signal', async () => {
    const lockDir = join(root, `locks-${signal}`);
    const child = spawn(process.execPath, [childScript, JSON.stringify(options(lockDir))], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const { dir } = JSON.parse(await firstLine(child)) as { dir: string };
    expect(existsSync(join(dir, 'a.txt'))).toBe(true);
    expect(readdirSync(lockDir).filter((name) => name.endsWith('.lock'))).toHaveLength(1);

    // The child's lock holds across processes.
    const blocked = await openWorkspace({ ...options(lockDir), lockTimeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(blocked).toBeInstanceOf(WorkspaceError);
    expect((blocked as WorkspaceError).kind).toBe('lock-timeout');

    const exited = once(child, 'exit');
    child.kill(signal);
    const [code, endedBy] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, endedBy }).toEqual({ code: null, endedBy: signal });
    expect(existsSync(dirname(dir))).toBe(false);
    expect(readdirSync(lockDir)).toEqual([]);

    const ws = await openWorkspace({ ...options(lockDir), lockTimeoutMs: 2_000 });
    await ws.dispose();
  });
});
