import { realpath } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { discoverFiles, readSource, readSourceSync, type Discovery } from '../engine/files.js';
import { describeEdits, transformSource, type EngineContext } from '../engine/transform.js';
import type { Codemod, Note } from '../engine/types.js';
import type { Project } from '../project/index.js';

/** What one codemod would do to one file: the lines its edits cover, and the places it leaves alone. */
export interface Detection {
  edits: { line: number; endLine: number; description: string }[];
  notes: Note[];
  /** Set when the file cannot be read or parsed; nothing is detected then. */
  skipped?: string;
  /** Set when the project keeps the codemod out of this file (its role, a dependency version), with why. */
  outOfScope?: string;
}

const EMPTY: Detection = { edits: [], notes: [] };

/**
 * Runs codemods as detectors over one repository: the same transform the
 * engine applies, with every edit allowed so held edits count too, but
 * nothing written. Results are cached per file and codemod.
 */
export class Detector {
  private readonly cache = new Map<string, Promise<Detection>>();
  private checked = 0;

  constructor(
    readonly root: string,
    private readonly engine: EngineContext,
    private readonly project: Project,
    private readonly maxBytes?: number,
    /** Called after each file a codemod was run on, with the count so far (progress on long plans). */
    private readonly onProgress?: (checked: number) => void,
  ) {}

  detect(path: string, codemod: Codemod): Promise<Detection> {
    const key = `${codemod.meta.id}\0${path}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.run(path, codemod);
      this.cache.set(key, found);
      if (this.onProgress) void found.then(() => this.onProgress!(++this.checked));
    }
    return found;
  }

  private async run(path: string, codemod: Codemod): Promise<Detection> {
    const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
    if (!codemod.meta.extensions.includes(ext)) return EMPTY;
    // Out of scope whatever the file holds: a finding in a test is never the codemod's.
    const role = this.project.role(path);
    if (!codemod.meta.roles.includes(role.role)) return { ...EMPTY, outOfScope: `${path} is ${role.role} (${role.reason}), which ${codemod.meta.id} does not edit` };
    const unmet = codemod.meta.requires.map((r) => this.project.check(path, r)).find((c) => c.met === 'no');
    if (unmet?.met === 'no') return { ...EMPTY, outOfScope: unmet.reason };
    // Read synchronously: a plan reads every candidate once per codemod, and an asynchronous read costs four times as much.
    const read = readSourceSync(this.root, path, this.maxBytes);
    if (!read.ok) return { ...EMPTY, skipped: read.message };
    if (!codemod.prefilter(read.file.text)) return EMPTY;
    const outcome = transformSource(this.engine, read.file, [codemod], { policy: { maxSafety: 'unsafe' }, project: this.project });
    if (outcome.kind === 'skipped') return { ...EMPTY, skipped: outcome.message };
    if (outcome.kind === 'unchanged') return { edits: [], notes: outcome.notes };
    const edits = outcome.steps.flatMap((s) => describeEdits(s.codemod, s.input, s.edits));
    return { edits: edits.map(({ line, endLine, description }) => ({ line, endLine, description })), notes: outcome.notes };
  }

  /** Line `line` of a file, trimmed and shortened for a message; undefined when it cannot be read. */
  async lineText(path: string, line: number): Promise<string | undefined> {
    const read = await readSource(this.root, path, this.maxBytes);
    if (!read.ok) return undefined;
    const text = (read.file.text.split(/\r\n|\r|\n/)[line - 1] ?? '').trim().replace(/`/g, "'");
    if (!text) return undefined;
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  }

  /** Every file of the repository the codemod would change, sorted. */
  async scan(files: readonly string[], codemod: Codemod): Promise<string[]> {
    const hits: string[] = [];
    for (const path of files) {
      if ((await this.detect(path, codemod)).edits.length > 0) hits.push(path);
    }
    return hits;
  }
}

/**
 * The files of the repository at `repo`, relative to `repo` itself, even when
 * `repo` is a folder inside a larger git work tree.
 */
export async function repositoryFiles(repo: string): Promise<Discovery> {
  const dir = await realpath(resolve(repo));
  const found = await discoverFiles([dir], dir);
  const prefix = relative(found.root, dir).split(sep).join('/');
  if (!prefix) return found;
  const files = found.files.filter((f) => f.startsWith(`${prefix}/`)).map((f) => f.slice(prefix.length + 1));
  return { root: dir, files, git: found.git };
}

/**
 * Whether a detection confirms a finding on lines [start, end]: an edit
 * overlaps them, and no note says the problem there remains after it.
 */
export function confirms(detection: Detection, startLine: number, endLine = startLine): boolean {
  if (detection.notes.some((n) => n.remains && n.line >= startLine && n.line <= endLine)) return false;
  return detection.edits.some((e) => e.line <= endLine && e.endLine >= startLine);
}

/** The codemod's own reason for leaving lines [start, end] alone, if it gave one (a problem that remains first). */
export function leftAloneReason(detection: Detection, startLine: number, endLine = startLine): string | undefined {
  const inRange = detection.notes.filter((n) => n.line >= startLine && n.line <= endLine);
  return (inRange.find((n) => n.remains) ?? inRange[0])?.message;
}
