import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { failureLine, type GitRun } from './git.js';
import { WorkspaceError } from './types.js';

/** Takes one answer off the front of `buffer`: its value and the bytes it used, or null while it is incomplete. */
export type Reader<T> = (buffer: Buffer) => { value: T; used: number } | null;

/** One line, without its newline. */
export const readLine: Reader<string> = (buffer) => {
  const end = buffer.indexOf(10);
  return end < 0 ? null : { value: buffer.toString('utf8', 0, end), used: end + 1 };
};

export interface GitObject {
  oid: string;
  type: string;
  data: Buffer;
}

/** One `git cat-file --batch` answer: the object, or null when the name is missing or ambiguous. */
export const readObject: Reader<GitObject | null> = (buffer) => {
  const end = buffer.indexOf(10);
  if (end < 0) return null;
  const [oid = '', type = '', size] = buffer.toString('utf8', 0, end).split(' ');
  if (size === undefined) return { value: null, used: end + 1 };
  const length = Number(size);
  if (buffer.length < end + 1 + length + 1) return null;
  return { value: { oid, type, data: buffer.subarray(end + 1, end + 1 + length) }, used: end + 1 + length + 1 };
};

interface Waiting {
  read: Reader<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A git command that keeps running and answers one request after another
 * over its standard input and output (`cat-file --batch`, `hash-object
 * --stdin-paths`, `mktree --batch`): one process for many objects. git
 * flushes each answer when its output is a pipe. If it stops, the requests
 * waiting fail and the next one starts it again.
 */
export class GitPipe {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: Waiting[] = [];
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly args: readonly string[],
    private readonly run: () => GitRun,
    /** Values to keep out of error messages. */
    private readonly secrets: () => Record<string, string>,
  ) {}

  request<T>(input: Buffer | string, read: Reader<T>): Promise<T> {
    const child = this.child ?? this.start();
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ read, resolve: resolve as (value: unknown) => void, reject });
      child.stdin.write(input);
    });
  }

  /** Ends its input and waits for it to leave (killing it if it does not). */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin.end();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(kill);
  }

  private start(): ChildProcessWithoutNullStreams {
    const run = this.run();
    const child = spawn('git', this.args, { cwd: run.cwd, env: run.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    run.children?.add(child);
    let stderr = '';
    let done!: () => void;
    this.exited = new Promise((resolve) => (done = resolve));
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.stdin.on('error', () => undefined);
    let gone = false;
    const leave = (code: number | null) => {
      if (gone) return;
      gone = true;
      run.children?.delete(child);
      if (this.child === child) {
        this.child = null;
        this.buffer = Buffer.alloc(0);
      }
      const waiting = this.waiting;
      this.waiting = [];
      const line = failureLine({ code: code ?? 1, stdout: '', stderr }, this.secrets());
      for (const w of waiting) w.reject(new WorkspaceError(`git ${this.args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? ''} stopped: ${line}`, 'git'));
      done();
    };
    child.on('error', () => {
      if (child.pid === undefined) leave(null);
    });
    child.on('close', (code) => leave(code));
    return child;
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.waiting.length > 0) {
      const answer = this.waiting[0]!.read(this.buffer);
      if (!answer) return;
      this.buffer = this.buffer.subarray(answer.used);
      this.waiting.shift()!.resolve(answer.value);
    }
  }
}

export interface TreeEntry {
  /** As git writes it: `100644`, `100755`, `120000`, `40000`, `160000`. */
  mode: string;
  /** The name's bytes (git does not require UTF-8). */
  name: Buffer;
  oid: string;
}

/** The entries of a raw tree object: `<mode> <name>\0<binary id>` one after another. */
export function parseTree(data: Buffer, oidBytes: number): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(32, at);
    const nul = data.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > data.length) throw new WorkspaceError('git gave a tree object that cannot be read', 'git');
    entries.push({ mode: data.toString('latin1', at, space), name: data.subarray(space + 1, nul), oid: data.toString('hex', nul + 1, nul + 1 + oidBytes) });
    at = nul + 1 + oidBytes;
  }
  return entries;
}

export function isTreeMode(mode: string): boolean {
  return mode === '40000' || mode === '040000';
}

/** A file git can hash from the work tree: not a directory, a symlink or a submodule. */
export function isFileMode(mode: string): boolean {
  return mode.startsWith('100');
}

function entryType(mode: string): string {
  if (isTreeMode(mode)) return 'tree';
  return mode === '160000' ? 'commit' : 'blob';
}

/** One tree for `git mktree -z --batch`: NUL-terminated entries, then an empty record. */
export function mktreeInput(entries: readonly TreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(Buffer.from(`${entry.mode} ${entryType(entry.mode)} ${entry.oid}\t`, 'latin1'), entry.name, Buffer.from([0]));
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/**
 * A path as `--stdin-paths` reads it: as it is, unless it starts with a
 * quote or holds a control character, then C-quoted the way git unquotes it.
 */
export function stdinPath(path: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (!path.startsWith('"') && !/[\x00-\x1f\x7f]/.test(path)) return Buffer.from(`${path}\n`, 'utf8');
  const escaped = [...Buffer.from(path, 'utf8')].map((byte) => {
    if (byte === 0x22) return '\\"';
    if (byte === 0x5c) return '\\\\';
    if (byte < 0x20 || byte === 0x7f) return `\\${byte.toString(8).padStart(3, '0')}`;
    return String.fromCharCode(byte);
  });
  return Buffer.from(`"${escaped.join('')}"\n`, 'latin1');
}

/** Characters git drops from the ends of a name or email (`strbuf_addstr_without_crud`). */
function isCrud(c: string): boolean {
  return c <= ' ' || '.,:;<>"\\\''.includes(c);
}

/** A name or email as git records it in an identity: no crud at either end, then no `<`, `>` or newlines. */
export function identityPart(value: string): string {
  let text = value;
  while (text !== '' && isCrud(text[0]!)) text = text.slice(1);
  while (text !== '' && isCrud(text[text.length - 1]!)) text = text.slice(0, -1);
  return text.replace(/[<>\n]/g, '');
}

/** A commit message as `git commit --cleanup=whitespace` leaves it. */
export function cleanMessage(message: string): string {
  const lines = message.split('\n').map((line) => line.replace(/\s+$/, ''));
  const kept: string[] = [];
  for (const line of lines) {
    if (line === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

/** The text of a commit object by `who`, dated `when` in this machine's time zone. */
export function commitText(input: { tree: string; parents: readonly string[]; who: { name: string; email: string }; when: Date; message: string }): string {
  const name = identityPart(input.who.name);
  const email = identityPart(input.who.email);
  if (name === '' || email === '') throw new WorkspaceError('the bot identity needs a name and an email', 'git');
  const offset = -input.when.getTimezoneOffset();
  const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  const ident = `${name} <${email}> ${Math.floor(input.when.getTime() / 1000)} ${zone}`;
  return [`tree ${input.tree}`, ...input.parents.map((p) => `parent ${p}`), `author ${ident}`, `committer ${ident}`, '', cleanMessage(input.message)].join('\n');
}
