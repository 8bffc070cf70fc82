import { normaliseName, type Declaration, type LockFile, type Manifest } from './manifests.js';
import { contains, describeMajors, intersect, isSubset, overlaps, parsePep440, parseRelease, type Range, ANY } from './versions.js';

/** What the project says of one dependency, for one file (the nearest manifest that names it wins). */
export type DependencyStatus =
  /** The version installed is known: a lock file or the config file gives it. */
  | { kind: 'locked'; name: string; version: string; source: string; declarations: Declaration[] }
  /** Manifests constrain it; `range` is null when none of their constraints could be read. */
  | { kind: 'declared'; name: string; declarations: Declaration[]; range: Range | null }
  /** No manifest on the way up from the file names it. */
  | { kind: 'absent'; name: string; manifests: string[] };

/** A dependency a codemod needs: `{ name: 'pydantic', range: '>=2', hint: 'upgrade to pydantic 2 first' }`. */
export interface Requirement {
  name: string;
  /** PEP 440 specifier the installed version must meet. */
  range: string;
  /** What to do when it is not met, said to the user. */
  hint: string;
}

export type RequirementCheck =
  | { met: 'yes'; source: string }
  /** The project certainly does not meet it. */
  | { met: 'no'; reason: string }
  /** The project allows versions inside and outside the requirement, and nothing says which is installed. */
  | { met: 'maybe'; reason: string }
  /** No manifest names the dependency: nothing is known. */
  | { met: 'unknown'; reason: string };

/**
 * Versions of a package that fix the major version of another: the
 * dependent's own requirements, as published. A project that pins
 * `fastapi==0.65.2` and names no pydantic still runs pydantic 1.
 */
interface ImpliedBy {
  dependent: string;
  /** The dependent's versions the rule holds for (PEP 440). */
  when: string;
  /** The package they constrain, and to what. */
  name: string;
  range: string;
}

const IMPLIED: readonly ImpliedBy[] = [
  // FastAPI supports pydantic 2 from 0.100.0; every earlier release requires pydantic <2.0.0.
  { dependent: 'fastapi', when: '<0.100.0', name: 'pydantic', range: '<2' },
  // SQLModel supports pydantic 2 from 0.0.14; earlier releases require pydantic ^1.8.2.
  { dependent: 'sqlmodel', when: '<0.0.14', name: 'pydantic', range: '<2' },
];

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** The folder a manifest speaks for: `requirements/base.txt` belongs to the folder above `requirements/`. */
function ownerDir(path: string): string {
  const dir = dirOf(path);
  return dir === 'requirements' || dir.endsWith('/requirements') ? dirOf(dir) : dir;
}

function where(d: Declaration): string {
  return `${d.manifest}: ${d.spec === '' ? 'any version' : d.spec}`;
}

/** `fastapi ==0.65.2 (backend/requirements.txt)`. */
function pins(name: string, declarations: readonly Declaration[]): string {
  return `${name} ${declarations.map((d) => `${d.spec === '' ? 'any version' : d.spec} (${d.manifest})`).join(', ')}`;
}

export class Dependencies {
  private readonly byDir = new Map<string, Manifest[]>();
  private readonly byPath = new Map<string, Manifest>();
  private readonly locksByDir = new Map<string, LockFile[]>();
  private readonly memo = new Map<string, DependencyStatus>();

  constructor(
    manifests: readonly Manifest[],
    locks: readonly LockFile[],
    /** Versions the config file states, by normalised name. */
    private readonly pinned: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const m of manifests) {
      this.byPath.set(m.path, m);
      const dir = ownerDir(m.path);
      this.byDir.set(dir, [...(this.byDir.get(dir) ?? []), m]);
    }
    for (const lock of locks) {
      const dir = dirOf(lock.path);
      this.locksByDir.set(dir, [...(this.locksByDir.get(dir) ?? []), lock]);
    }
  }

  /** Declarations of `name` in a manifest and the requirement files it includes. */
  private declarationsIn(manifest: Manifest, name: string, ecosystem: Declaration['ecosystem'], seen: Set<string>): Declaration[] {
    if (seen.has(manifest.path)) return [];
    seen.add(manifest.path);
    const own = manifest.declarations.filter((d) => d.name === name && d.ecosystem === ecosystem);
    const included = manifest.includes.flatMap((path) => {
      const inc = this.byPath.get(path);
      return inc ? this.declarationsIn(inc, name, ecosystem, seen) : [];
    });
    return [...own, ...included];
  }

  status(file: string, rawName: string, ecosystem: Declaration['ecosystem'] = 'pypi'): DependencyStatus {
    const name = ecosystem === 'pypi' ? normaliseName(rawName) : rawName.toLowerCase();
    const key = `${dirOf(file)}\0${ecosystem}\0${name}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    const result = this.compute(file, name, ecosystem);
    this.memo.set(key, result);
    return result;
  }

  private compute(file: string, name: string, ecosystem: Declaration['ecosystem']): DependencyStatus {
    const pinned = ecosystem === 'pypi' ? this.pinned.get(name) : undefined;
    const searched: string[] = [];
    let declarations: Declaration[] = [];
    let declaredAt: string | null = null;
    for (let dir = dirOf(file); ; dir = dirOf(dir)) {
      const manifests = this.byDir.get(dir) ?? [];
      searched.push(...manifests.filter((m) => (m.kind === 'package.json') === (ecosystem === 'npm')).map((m) => m.path));
      const seen = new Set<string>();
      const found = manifests.flatMap((m) => this.declarationsIn(m, name, ecosystem, seen));
      if (found.length > 0) {
        // A runtime declaration outranks one for development only.
        const runtime = found.filter((d) => !d.dev);
        declarations = runtime.length > 0 ? runtime : found;
        declaredAt = dir;
        break;
      }
      if (dir === '') break;
    }
    if (pinned) return { kind: 'locked', name, version: pinned, source: '.github/shipshape.yml', declarations };
    if (declaredAt === null) return { kind: 'absent', name, manifests: searched };
    for (let dir = declaredAt; ; dir = dirOf(dir)) {
      for (const lock of this.locksByDir.get(dir) ?? []) {
        const version = lock.versions.get(name);
        if (version) return { kind: 'locked', name, version, source: lock.path, declarations };
      }
      if (dir === '') break;
    }
    const readable = declarations.filter((d) => d.range !== null);
    const range = readable.length === 0 ? null : readable.reduce<Range>((acc, d) => intersect(acc, d.range!), ANY);
    return { kind: 'declared', name, declarations, range };
  }

  /**
   * What the project's other dependencies say of `name` for `file` (see
   * IMPLIED): the range they allow and what says so, or null when none does.
   */
  private implied(file: string, rawName: string): { range: Range; because: string } | null {
    const name = normaliseName(rawName);
    let range: Range = ANY;
    const because: string[] = [];
    for (const rule of IMPLIED) {
      if (rule.name !== name) continue;
      const status = this.status(file, rule.dependent);
      const when = parsePep440(rule.when);
      let holds: string | null = null;
      if (status.kind === 'locked') {
        const release = parseRelease(status.version);
        if (release && contains(when, release)) holds = `${rule.dependent} ${status.version} (${status.source})`;
      } else if (status.kind === 'declared' && status.range && isSubset(status.range, when)) {
        holds = pins(rule.dependent, status.declarations);
      }
      if (holds === null) continue;
      range = intersect(range, parsePep440(rule.range));
      because.push(`${holds}, which needs ${name} ${rule.range}`);
    }
    return because.length > 0 ? { range, because: because.join('; ') } : null;
  }

  /** Whether the dependency `req.name`, as the project declares it for `file`, meets `req.range`. */
  check(file: string, req: Requirement): RequirementCheck {
    const status = this.status(file, req.name);
    const wanted = parsePep440(req.range);
    // The project's other pins may rule the requirement out where its own manifests leave the
    // version open. They only ever decline: that they allow it is left to the checks below.
    const implied = status.kind === 'locked' ? null : this.implied(file, req.name);
    const declared = status.kind === 'declared' ? status.range : ANY;
    if (implied && declared && overlaps(declared, implied.range) && !overlaps(intersect(declared, implied.range), wanted)) {
      const said = status.kind === 'declared' ? `${pins(req.name, status.declarations)} and ` : '';
      return { met: 'no', reason: `the project pins ${said}${implied.because}; ${req.hint}` };
    }
    if (status.kind === 'absent') {
      return { met: 'unknown', reason: `no manifest pins ${req.name}${status.manifests.length ? ` (read ${status.manifests.join(', ')})` : ''}` };
    }
    if (status.kind === 'locked') {
      const release = parseRelease(status.version);
      if (!release) return { met: 'unknown', reason: `${status.source} gives ${req.name} as "${status.version}", which is not a version` };
      if (contains(wanted, release)) return { met: 'yes', source: `${status.source}: ${req.name} ${status.version}` };
      return { met: 'no', reason: `the project pins ${req.name} ${status.version} (${status.source}); ${req.hint}` };
    }
    const written = status.declarations.map(where).join(', ');
    if (!status.range) return { met: 'unknown', reason: `the version of ${req.name} cannot be read from ${written}` };
    if (isSubset(status.range, wanted)) return { met: 'yes', source: written };
    if (!overlaps(status.range, wanted)) {
      return { met: 'no', reason: `the project pins ${req.name} ${describeMajors(status.range)} (${written}); ${req.hint}` };
    }
    return {
      met: 'maybe',
      reason: `${written} allows ${req.name} ${describeMajors(status.range)} and no lock file says which is installed; the change needs ${req.name} ${req.range}`,
    };
  }
}
