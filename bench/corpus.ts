/**
 * The benchmark's corpora. Generated ones are pure functions of their
 * parameters (a seeded generator per module, no clock, no randomness from
 * outside), so every run and every machine measures the same bytes; copied
 * ones (the Python standard library, JavaScript libraries from
 * node_modules) keep only the files shipshape itself would read.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Relative path (forward slashes) → file content. */
export type Corpus = Map<string, string>;

/**
 * Directory names shipshape's walk never enters outside a git repository
 * (the list in src/engine/files.ts). Copies leave them out so that the raw
 * parse reads exactly the files shipshape reads.
 */
export const WALK_SKIPS = new Set([
  '.git', '.hg', '.svn', 'node_modules', 'bower_components', '.venv', 'venv', 'env', '.env',
  '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.tox', '.nox', 'site-packages',
  'dist', 'build', 'out', '.next', '.nuxt', 'coverage', '.cache', '.eggs',
]);

/** shipshape's default --max-bytes: larger files are skipped, so copies leave them out. */
export const MAX_BYTES = 1024 * 1024;

export const SOURCE_EXTENSIONS = ['.py', '.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx'];

// ---------------------------------------------------------------------------
// Deterministic generation

/** FNV-1a of a string: the seed of one module's generator. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function rng(seed: string): () => number {
  let state = hash(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['account', 'invoice', 'order', 'customer', 'shipment', 'ticket', 'report', 'device', 'region', 'budget', 'contract', 'vendor', 'session', 'metric', 'project', 'release', 'incident', 'asset', 'policy', 'schedule'];
const VERBS = ['load', 'build', 'merge', 'check', 'format', 'collect', 'resolve', 'refresh', 'filter', 'export', 'summarise', 'normalise', 'split', 'rank', 'archive'];
const FIELDS = ['name', 'status', 'owner', 'region', 'amount', 'currency', 'created_at', 'updated_at', 'priority', 'notes', 'label', 'category', 'external_id', 'quantity', 'score'];

interface Pick {
  int(lo: number, hi: number): number;
  of<T>(items: readonly T[]): T;
}

function picker(seed: string): Pick {
  const next = rng(seed);
  return {
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    of: (items) => items[Math.floor(next() * items.length)]!,
  };
}

const camel = (s: string) => s.replace(/(^|_)([a-z])/g, (_m, _u: string, c: string) => c.toUpperCase());

/** Plain application code: mentions nothing any codemod looks for. */
function pythonService(seed: string, functions: number): string {
  const p = picker(seed);
  const noun = p.of(NOUNS);
  const out = [`"""Business rules for ${noun} records."""`, 'from __future__ import annotations', '', 'import math', 'from collections import defaultdict', 'from dataclasses import dataclass, field', 'from typing import Dict, Iterable, List, Optional', '', ''];
  out.push(`@dataclass\nclass ${camel(noun)}Row:\n    ident: int\n    ${FIELDS.slice(0, p.int(3, 8)).map((f) => `${f}: Optional[str] = None`).join('\n    ')}\n    extra: Dict[str, str] = field(default_factory=dict)\n\n    def describe(self) -> str:\n        return f"${noun} {self.ident}: {self.name}"\n\n`);
  for (let i = 0; i < functions; i++) {
    const verb = p.of(VERBS);
    const f1 = p.of(FIELDS);
    const f2 = p.of(FIELDS);
    const k = p.int(2, 97);
    switch (p.int(0, 3)) {
      case 0:
        out.push(`def ${verb}_${noun}_${i}(rows: Iterable[${camel(noun)}Row], limit: int = ${k}) -> List[${camel(noun)}Row]:\n    """Keeps the rows whose ${f1} is set, at most ${k} of them."""\n    kept = []\n    for row in rows:\n        if getattr(row, "${f1}", None) is None:\n            continue\n        kept.append(row)\n        if len(kept) >= limit:\n            break\n    return kept\n\n`);
        break;
      case 1:
        out.push(`def ${verb}_${noun}_totals_${i}(rows: Iterable[${camel(noun)}Row]) -> Dict[str, float]:\n    totals: Dict[str, float] = defaultdict(float)\n    for row in rows:\n        key = str(getattr(row, "${f1}", "") or "unknown")\n        try:\n            totals[key] += float(getattr(row, "${f2}", 0) or 0) * ${k}\n        except (TypeError, ValueError):\n            totals[key] += 0.0\n    return dict(sorted(totals.items()))\n\n`);
        break;
      case 2:
        out.push(`class ${camel(verb)}${camel(noun)}${i}:\n    """Keeps a running ${f1} score."""\n\n    def __init__(self, weight: float = ${k / 10}) -> None:\n        self.weight = weight\n        self.seen = 0\n        self.total = 0.0\n\n    def add(self, value: float) -> float:\n        self.seen += 1\n        self.total += value * self.weight\n        return self.mean()\n\n    def mean(self) -> float:\n        return self.total / self.seen if self.seen else math.nan\n\n`);
        break;
      default:
        out.push(`def ${verb}_${noun}_index_${i}(rows: List[${camel(noun)}Row]) -> Dict[int, List[str]]:\n    index = {row.ident: [v for v in (row.${f1}, row.${f2}) if v] for row in rows}\n    return {ident: sorted(values) for ident, values in index.items() if len(values) % ${k} != 1}\n\n`);
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Pydantic v1-style models: a nested `class Config` per model. */
function pythonModels(seed: string, models: number): string {
  const p = picker(seed);
  const out = ['"""Request and response schemas."""', 'from datetime import datetime', 'from typing import List, Optional', '', 'from pydantic import BaseModel, Field', '', ''];
  for (let i = 0; i < models; i++) {
    const name = `${camel(p.of(NOUNS))}${i}`;
    const fields = FIELDS.slice(0, p.int(3, 9)).filter((f) => f !== 'name' && !f.endsWith('_at'));
    out.push(`class ${name}Base(BaseModel):\n    name: str = Field(..., min_length=1, max_length=${p.int(40, 200)})\n    ${fields.map((f) => `${f}: Optional[str] = None`).join('\n    ')}\n    tags: List[str] = []\n\n    class Config:\n        anystr_strip_whitespace = True\n        schema_extra = {"example": {"name": "${name.toLowerCase()}", "tags": ["a", "b"]}}\n\n`);
    out.push(`class ${name}Create(${name}Base):\n    class Config:\n        extra = "forbid"\n\n`);
    out.push(`class ${name}Response(${name}Base):\n    id: int\n    created_at: datetime\n\n    class Config:\n        orm_mode = True\n${p.int(0, 1) ? '        allow_population_by_field_name = True\n' : ''}\n`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Routes that report progress with print(). */
function pythonRoutes(seed: string, app: string, handlers: number): string {
  const p = picker(seed);
  const noun = p.of(NOUNS);
  const out = [`"""HTTP routes for ${noun}s."""`, 'from typing import Dict, List', '', 'from fastapi import APIRouter, HTTPException', '', `from ${app}.db.session import get_db`, '', `router = APIRouter(prefix="/${noun}s", tags=["${noun}s"])`, '', ''];
  for (let i = 0; i < handlers; i++) {
    const verb = p.of(VERBS);
    out.push(`@router.get("/${verb}/{item_id}")\ndef ${verb}_${noun}_${i}(item_id: int) -> Dict[str, object]:\n    print(f"${verb} ${noun} {item_id}")\n    db = next(get_db())\n    try:\n        rows: List[Dict[str, object]] = [dict(r) for r in db.execute("select * from ${noun} where id = :id", {"id": item_id})]\n    finally:\n        db.close()\n    if not rows:\n        print("no ${noun} with id", item_id)\n        raise HTTPException(status_code=404, detail="not found")\n    print(f"${verb}: {len(rows)} rows")\n    return {"items": rows, "count": len(rows)}\n\n`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Settings with a hard-coded secret, and a module constant with another. */
function pythonSettings(seed: string): string {
  const p = picker(seed);
  const word = p.of(NOUNS);
  return `"""Application settings, read from the environment with local defaults."""
import os
from typing import List

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    APP_NAME: str = "${word} service"
    DEBUG: bool = False
    DATABASE_URL: str = "sqlite:///./${word}.db"
    SECRET_KEY: str = "change-me-${word}-${p.int(1000, 9999)}-not-for-production"
    ALLOWED_ORIGINS: List[str] = ["http://localhost:${p.int(3000, 9000)}"]
    PAGE_SIZE: int = ${p.int(10, 100)}

    class Config:
        env_file = ".env"
        case_sensitive = True


settings = Settings()
JWT_SECRET = os.getenv("JWT_SECRET", "dev-jwt-${word}-${p.int(100000, 999999)}")
`;
}

function pythonSession(app: string): string {
  return `"""Database engine and session factory."""
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from ${app}.core.config import settings

engine = create_engine(
    settings.DATABASE_URL,
    connect_args={"check_same_thread": False},
    echo=settings.DEBUG,
)
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
`;
}

/** A browser view (a classic script in one closure) that renders server data through innerHTML. */
function jsView(seed: string, widgets: number): string {
  const p = picker(seed);
  const out = ['(function () {', "  'use strict';", ''];
  const names: string[] = [];
  for (let i = 0; i < widgets; i++) {
    const noun = p.of(NOUNS);
    const f = p.of(FIELDS);
    names.push(`render${camel(noun)}${i}`);
    out.push(`  function render${camel(noun)}${i}(container, items) {
    if (!items || items.length === 0) {
      container.innerHTML = '<div class="empty">No ${noun}s yet.</div>';
      return;
    }
    items.forEach(function (item) {
      const row = document.createElement('div');
      row.className = '${noun}-row';
      row.innerHTML = \`<span class="${f}">\${item.${f}}</span> <span class="id">\${item.id}</span>\`;
      container.appendChild(row);
    });
    const caption = document.createElement('p');
    caption.innerHTML = items[0].${f};
    container.appendChild(caption);
  }

  function count${camel(noun)}${i}(items) {
    let total = 0;
    for (const item of items) total += Number(item.${f}) || ${p.int(0, 9)};
    return total;
  }
`);
  }
  out.push(`  window.views = Object.assign(window.views || {}, { ${names.join(', ')} });`, '})();', '');
  return out.join('\n');
}

function pyproject(name: string): string {
  return `[project]
name = "${name}"
version = "1.0.0"
requires-python = ">=3.10"
dependencies = [
  "fastapi>=0.110",
  "pydantic>=2.7",
  "pydantic-settings>=2.3",
  "sqlalchemy>=2.0",
]
`;
}

/** One service of the web-app corpus: a package with its own pyproject.toml. */
function webService(index: number, into: Corpus): void {
  const app = `svc${String(index).padStart(3, '0')}`;
  const p = picker(`service:${index}`);
  const put = (path: string, text: string) => into.set(`${app}/${path}`, text);
  put('pyproject.toml', pyproject(app));
  put(`${app}/__init__.py`, '');
  put(`${app}/core/__init__.py`, '');
  put(`${app}/core/config.py`, pythonSettings(`${app}:config`));
  put(`${app}/db/__init__.py`, '');
  put(`${app}/db/session.py`, pythonSession(app));
  put(`${app}/models/__init__.py`, '');
  put(`${app}/routes/__init__.py`, '');
  put(`${app}/services/__init__.py`, '');
  for (let i = 0; i < 4; i++) put(`${app}/models/schema_${i}.py`, pythonModels(`${app}:models:${i}`, p.int(2, 5)));
  for (let i = 0; i < 4; i++) put(`${app}/routes/routes_${i}.py`, pythonRoutes(`${app}:routes:${i}`, app, p.int(3, 8)));
  for (let i = 0; i < 14; i++) put(`${app}/services/rules_${i}.py`, pythonService(`${app}:services:${i}`, p.int(15, 45)));
  for (let i = 0; i < 2; i++) put(`static/js/view_${i}.js`, jsView(`${app}:js:${i}`, p.int(4, 12)));
}

/** Services in the web-app corpus at 1 ×: about 960 files and 5.5 MB, as many files as the standard library without its tests. */
export const WEB_APP_SERVICES = 30;

/**
 * The generated web-app corpus: `services` independent services (models with
 * `class Config`, settings with secrets, routes with prints, a SQLite engine,
 * views writing innerHTML, and plain code for most of the bytes). Service n
 * is the same whatever the scale, so 2 × holds 1 × and as much again.
 */
export function webAppCorpus(services: number): Corpus {
  const corpus: Corpus = new Map();
  for (let i = 0; i < services; i++) webService(i, corpus);
  return corpus;
}

/**
 * One repository of about 1,100 files for `apply --dry-run`: mostly plain
 * code in nested packages, with enough to fix that several codemods each
 * propose a pull request split into parts (10 files a part by default).
 */
export function largeAppCorpus(): Corpus {
  const corpus: Corpus = new Map();
  const app = 'shop';
  corpus.set('pyproject.toml', pyproject(app));
  corpus.set('README.md', '# shop\n\nA generated application for shipshape\'s benchmark.\n');
  corpus.set(`${app}/__init__.py`, '');
  corpus.set(`${app}/core/__init__.py`, '');
  corpus.set(`${app}/core/config.py`, pythonSettings('large:config'));
  corpus.set(`${app}/db/__init__.py`, '');
  corpus.set(`${app}/db/session.py`, pythonSession(app));
  corpus.set(`${app}/models/__init__.py`, '');
  for (let i = 0; i < 14; i++) corpus.set(`${app}/models/schema_${i}.py`, pythonModels(`large:models:${i}`, 2));
  corpus.set(`${app}/routes/__init__.py`, '');
  for (let i = 0; i < 22; i++) corpus.set(`${app}/routes/routes_${i}.py`, pythonRoutes(`large:routes:${i}`, app, 2));
  for (let i = 0; i < 3; i++) corpus.set(`static/js/view_${i}.js`, jsView(`large:js:${i}`, 2));
  for (let d = 0; corpus.size < 1100; d++) {
    const pkg = `${app}/domain/area_${String(d).padStart(2, '0')}`;
    corpus.set(`${pkg}/__init__.py`, '');
    for (let i = 0; i < 24 && corpus.size < 1100; i++) corpus.set(`${pkg}/rules_${i}.py`, pythonService(`large:${d}:${i}`, 8));
  }
  return corpus;
}

export function writeCorpus(root: string, corpus: Corpus): void {
  for (const [path, text] of corpus) {
    const full = join(root, ...path.split('/'));
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

// ---------------------------------------------------------------------------
// Copies of real code

/** Whether shipshape reads a file as text: UTF-8, no NUL, no lone carriage return. */
function readableText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/\r(?!\n)/.test(text);
}

export interface CopyResult {
  files: number;
  bytes: number;
  /** Files left out, with why (shipshape would skip or not read them). */
  left: { tooLarge: number; notText: number };
}

/**
 * Copies the source files under `from` into `to`, leaving out directories
 * shipshape's walk skips, `excludeDirs` (relative paths), files over
 * shipshape's default size limit and files it would not read as text.
 */
export function copySources(from: string, to: string, extensions: readonly string[], excludeDirs: readonly string[] = []): CopyResult {
  const result: CopyResult = { files: 0, bytes: 0, left: { tooLarge: 0, notText: 0 } };
  const excluded = new Set(excludeDirs.map((d) => join(from, d)));
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!WALK_SKIPS.has(entry.name) && !excluded.has(full)) visit(full);
        continue;
      }
      if (!entry.isFile() || !extensions.some((e) => entry.name.endsWith(e))) continue;
      if (statSync(full).size > MAX_BYTES) {
        result.left.tooLarge++;
        continue;
      }
      const bytes = readFileSync(full);
      if (!readableText(bytes)) {
        result.left.notText++;
        continue;
      }
      const dest = join(to, relative(from, full));
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, bytes);
      result.files++;
      result.bytes += bytes.length;
    }
  };
  visit(from);
  return result;
}

/** Absolute paths of the source files under `root` (sorted), as shipshape's walk finds them. */
export function listSources(root: string, extensions: readonly string[] = SOURCE_EXTENSIONS): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!WALK_SKIPS.has(entry.name)) visit(full);
      } else if (entry.isFile() && extensions.some((e) => entry.name.toLowerCase().endsWith(e))) {
        out.push(full);
      }
    }
  };
  visit(root);
  return out.sort((a, b) => (a.split(sep).join('/') < b.split(sep).join('/') ? -1 : 1));
}
