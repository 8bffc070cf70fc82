import { realpathSync } from 'node:fs';

/**
 * Where the repository is, for turning the paths that tools report into
 * repository-relative ones.
 */
export interface PathContext {
  /** Absolute path of the repository on this machine. */
  repoRoot: string;
  /**
   * Absolute path (or file:// URI) of the repository on the machine that produced
   * the findings, e.g. `/home/runner/work/app/app` for SARIF made in CI. Absolute
   * paths under it are mapped onto `repoRoot`.
   */
  srcRoot?: string;
  /**
   * SARIF `uriBaseId` symbols (e.g. `%SRCROOT%`) and what they stand for, already
   * resolved through `run.originalUriBaseIds`: an absolute URI/path, or a
   * repository-relative directory.
   */
  uriBaseIds?: Readonly<Record<string, string>>;
  /**
   * Resolves symlinks of an absolute path; `undefined` when it does not exist.
   * Only given when `repoRoot` is a real checkout on disk (see `realpathOnDisk`).
   */
  realpath?: (absolutePath: string) => string | undefined;
}

export interface PathOptions {
  /** The raw value is a URI reference (SARIF `uri`): percent-escapes are decoded. */
  uri?: boolean;
  /** SARIF `artifactLocation.uriBaseId` the raw value is relative to. */
  uriBaseId?: string;
}

export type PathResult = { ok: true; path: string } | { ok: false; reason: string };

/** `realpath` for `PathContext`: the real file system, `undefined` for a path that does not exist. */
export function realpathOnDisk(absolutePath: string): string | undefined {
  try {
    return realpathSync.native(absolutePath);
  } catch {
    // Missing (or unreadable) files cannot smuggle anything out: nothing will be read from them.
    return undefined;
  }
}

/**
 * Turns a path as a tool reported it (relative, absolute, `file://` URI,
 * `%SRCROOT%`-relative, Windows separators) into a normalised
 * repository-relative path with forward slashes, or says precisely why it
 * cannot be one. Nothing outside the repository is ever accepted: a finding
 * there could make a codemod write outside the checkout.
 */
export function normaliseRepoPath(raw: string, ctx: PathContext, options: PathOptions = {}): PathResult {
  if (raw.trim() === '') return { ok: false, reason: 'empty path' };
  if (raw.includes('\0')) return { ok: false, reason: `path contains a NUL character: ${JSON.stringify(raw)}` };

  let value = raw;
  let uriBaseId = options.uriBaseId;
  // Some tools write the base symbol into the path itself: `%SRCROOT%/src/app.js`.
  const symbol = /^%([A-Za-z0-9_.-]+)%(?:[\\/]|$)/.exec(value);
  if (symbol) {
    uriBaseId = `%${symbol[1]}%`;
    value = value.slice(symbol[0].length);
  }

  const located = locate(value, options.uri === true || value.startsWith('file:'));
  if (!located.ok) return located;

  let relative: PathResult;
  if (located.absolute) {
    relative = relativeToRoots(located.path, raw, ctx);
  } else if (uriBaseId !== undefined) {
    relative = relativeToBase(located.path, uriBaseId, raw, ctx);
  } else {
    relative = collapseRelative(located.path, raw);
  }
  if (!relative.ok) return relative;
  return checkSymlink(relative.path, ctx);
}

type Located = { ok: true; absolute: boolean; path: string } | { ok: false; reason: string };

/** Decodes a URI or plain path into a slash-separated path, and says whether it is absolute. */
function locate(value: string, isUri: boolean): Located {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(value);
  // A single letter before ':' is a Windows drive, not a URI scheme.
  if (scheme && scheme[1]!.toLowerCase() !== 'file') {
    return { ok: false, reason: `not a file path or file:// URI (${scheme[1]}:): ${value}` };
  }
  if (scheme) return locateFileUri(value);

  let path = value;
  if (isUri) {
    const decoded = percentDecode(path);
    if (decoded === undefined) return { ok: false, reason: `malformed percent-encoding in ${value}` };
    path = decoded;
  }
  path = path.replace(/\\/g, '/');
  return { ok: true, absolute: isAbsolute(path), path };
}

function locateFileUri(value: string): Located {
  const rest = value.slice('file:'.length);
  let path: string;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    if (host !== '' && host.toLowerCase() !== 'localhost') {
      return { ok: false, reason: `file URI names another host (${host}): ${value}` };
    }
    path = slash === -1 ? '/' : rest.slice(slash);
  } else {
    path = rest;
  }
  // Query and fragment are not part of a file's path.
  path = path.replace(/[?#].*$/, '');
  const decoded = percentDecode(path);
  if (decoded === undefined) return { ok: false, reason: `malformed percent-encoding in ${value}` };
  path = decoded.replace(/\\/g, '/');
  // file:///C:/x names the Windows path C:/x.
  if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  if (!isAbsolute(path)) return { ok: false, reason: `file URI is not absolute: ${value}` };
  return { ok: true, absolute: true, path };
}

function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:\//.test(path);
}

/** Collapses `.`, `..` and repeated slashes of an absolute path; `..` above the root stays at the root, as the OS does. */
function collapseAbsolute(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:/.exec(slashed)?.[0];
  const body = drive ? slashed.slice(2) : slashed;
  const parts: string[] = [];
  for (const segment of body.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      parts.pop();
      continue;
    }
    parts.push(segment);
  }
  // Drive letters are case-insensitive; lower-casing them makes C:/x and c:/x compare equal.
  return `${drive ? drive.toLowerCase() : ''}/${parts.join('/')}`;
}

function rootPath(root: string): string | undefined {
  const located = locate(root, root.startsWith('file:'));
  if (!located.ok || !located.absolute) return undefined;
  return collapseAbsolute(located.path);
}

function inside(path: string, root: string): string | undefined {
  if (path === root) return '';
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

function relativeToRoots(absolute: string, raw: string, ctx: PathContext): PathResult {
  const path = collapseAbsolute(absolute);
  for (const root of [ctx.repoRoot, ctx.srcRoot]) {
    if (root === undefined) continue;
    const base = rootPath(root);
    if (base === undefined) continue;
    const rest = inside(path, base);
    if (rest === undefined) continue;
    if (rest === '') return { ok: false, reason: `names the repository root, not a file: ${raw}` };
    return { ok: true, path: rest };
  }
  const hint = ctx.srcRoot === undefined ? ' (made on another machine? give that checkout as srcRoot)' : '';
  return { ok: false, reason: `absolute path outside the repository: ${raw}${hint}` };
}

function relativeToBase(relative: string, uriBaseId: string, raw: string, ctx: PathContext): PathResult {
  const base = ctx.uriBaseIds?.[uriBaseId];
  // An undeclared base (the usual `%SRCROOT%` without originalUriBaseIds) is the repository root.
  if (base === undefined || base === '') return collapseRelative(relative, raw);
  const located = locate(base, true);
  if (!located.ok) return { ok: false, reason: `${uriBaseId} is ${base}: ${located.reason}` };
  if (!located.absolute) return collapseRelative(`${located.path.replace(/\/?$/, '/')}${relative}`, raw);

  const joined = `${located.path.replace(/\/?$/, '/')}${relative}`;
  const viaRoots = relativeToRoots(joined, raw, ctx);
  if (viaRoots.ok) return viaRoots;
  // The base lies inside a known root but the joined path left it: a real escape.
  const basePath = collapseAbsolute(located.path);
  const underRoot = [ctx.repoRoot, ctx.srcRoot].some((root) => {
    const r = root === undefined ? undefined : rootPath(root);
    return r !== undefined && inside(basePath, r) !== undefined;
  });
  if (underRoot) return { ok: false, reason: `path escapes the repository: ${raw} (relative to ${uriBaseId} = ${base})` };
  // A base outside every known root is the checkout on the machine that ran the
  // tool (CI); what is relative to it is relative to the repository.
  return collapseRelative(relative, raw);
}

function collapseRelative(relative: string, raw: string): PathResult {
  const parts: string[] = [];
  for (const segment of relative.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return { ok: false, reason: `path escapes the repository: ${raw}` };
      parts.pop();
      continue;
    }
    parts.push(segment);
  }
  if (parts.length === 0) return { ok: false, reason: `names the repository root, not a file: ${raw}` };
  return { ok: true, path: parts.join('/') };
}

function checkSymlink(relative: string, ctx: PathContext): PathResult {
  if (!ctx.realpath) return { ok: true, path: relative };
  const root = rootPath(ctx.repoRoot);
  if (root === undefined) return { ok: true, path: relative };
  const real = ctx.realpath(`${root.replace(/\/$/, '')}/${relative}`);
  if (real === undefined) return { ok: true, path: relative };
  const realRoot = collapseAbsolute(ctx.realpath(root) ?? root);
  if (inside(collapseAbsolute(real), realRoot) === undefined) {
    return { ok: false, reason: `symlink leaves the repository: ${relative} resolves to ${real}` };
  }
  return { ok: true, path: relative };
}
