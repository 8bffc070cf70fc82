import { isRootedRef } from './refs.js';
import type { ParsedPlan, PlanRef, PlanRefProblem, PlanRefResolution, ResolvedPlanRef } from './types.js';

/** The repository's files, indexed for reference lookups. Build once per repository. */
export interface RepoFileIndex {
  files: ReadonlySet<string>;
  byBasename: ReadonlyMap<string, readonly string[]>;
}

export type RefLookup =
  | { ok: true; file: string }
  | { ok: false; reason: 'missing' | 'ambiguous'; candidates: string[] };

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `repoFiles` are repository-relative paths (`git ls-files` style); `\` and a leading `./` are tolerated. */
export function indexRepoFiles(repoFiles: readonly string[]): RepoFileIndex {
  const files = new Set(repoFiles.map((f) => f.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '')));
  const byBasename = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const name = basename(file);
    const list = byBasename.get(name);
    if (list) list.push(file);
    else byBasename.set(name, [file]);
  }
  return { files, byBasename };
}

/**
 * An exact path wins. Otherwise plans often name a file by its basename or a
 * trailing part of its path (`session_store.py`, `db/session.py`): that
 * resolves only when exactly one repository path ends with `/<ref>`. Two or
 * more are ambiguous and are returned as candidates; we never pick one, since
 * editing the wrong file is worse than asking. A ref written from the root
 * (`/docs/x.md`) must match exactly.
 */
export function lookupRef(ref: PlanRef, index: RepoFileIndex): RefLookup {
  if (index.files.has(ref.path)) return { ok: true, file: ref.path };
  if (isRootedRef(ref)) return { ok: false, reason: 'missing', candidates: [] };
  const suffix = `/${ref.path}`;
  const candidates = (index.byBasename.get(basename(ref.path)) ?? []).filter((f) => f.endsWith(suffix));
  if (candidates.length === 1) return { ok: true, file: candidates[0]! };
  if (candidates.length === 0) return { ok: false, reason: 'missing', candidates: [] };
  return { ok: false, reason: 'ambiguous', candidates: [...candidates] };
}

/** Resolves every task and issue reference of a plan against the repository's file list. */
export function resolvePlanRefs(plan: ParsedPlan, repoFiles: readonly string[] | RepoFileIndex): PlanRefResolution {
  const index = isIndex(repoFiles) ? repoFiles : indexRepoFiles(repoFiles);
  const resolved: ResolvedPlanRef[] = [];
  const problems: PlanRefProblem[] = [];
  for (const section of plan.sections) {
    const found: { ref: PlanRef; kind: 'task' | 'issue' }[] = [
      ...section.tasks.flatMap((task) => task.refs.map((ref) => ({ ref, kind: 'task' as const }))),
      ...section.issues.map((ref) => ({ ref, kind: 'issue' as const })),
    ];
    for (const { ref, kind } of found) {
      const lookup = lookupRef(ref, index);
      if (lookup.ok) resolved.push({ ref, section: section.key, kind, file: lookup.file });
      else problems.push({ ref, section: section.key, kind, reason: lookup.reason, candidates: lookup.candidates });
    }
  }
  return { resolved, problems };
}

function isIndex(value: readonly string[] | RepoFileIndex): value is RepoFileIndex {
  return !Array.isArray(value);
}
