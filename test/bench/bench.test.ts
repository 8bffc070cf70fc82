import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { copySources, largeAppCorpus, listSources, MAX_BYTES, rng, WEB_APP_SERVICES, webAppCorpus, writeCorpus } from '../../bench/corpus.js';
import { median, summarise, type Measured } from '../../bench/measure.js';
import { evaluateGoals, formatResults, type PairRow, type Results } from '../../bench/report.js';
import { parseJs } from '../../src/engine/javascript.js';
import { parsePython, pythonParser } from '../../src/engine/python.js';
import { runCli } from '../helpers/cli.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-bench-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('generated corpora', () => {
  it('are the same bytes on every generation, and a larger scale holds the smaller one', () => {
    const once = webAppCorpus(3);
    expect([...webAppCorpus(3)]).toEqual([...once]);
    const twice = webAppCorpus(6);
    for (const [path, text] of once) expect(twice.get(path)).toBe(text);
    expect(twice.size).toBe(once.size * 2);
    expect([...largeAppCorpus()]).toEqual([...largeAppCorpus()]);
  });

  it('the seeded generator does not depend on anything but its seed', () => {
    const a = rng('svc001:models:0');
    const b = rng('svc001:models:0');
    const c = rng('svc001:models:1');
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
  });

  it('has the sizes the benchmark describes', () => {
    const web = webAppCorpus(WEB_APP_SERVICES);
    const bytes = [...web.values()].reduce((n, t) => n + Buffer.byteLength(t), 0);
    // About as many files as the standard library without its tests (968 in 3.11), 5 to 6 MB.
    expect(web.size).toBeGreaterThan(900);
    expect(web.size).toBeLessThan(1100);
    expect(bytes).toBeGreaterThan(5 * 1048576);
    expect(bytes).toBeLessThan(6 * 1048576);
    expect(largeAppCorpus().size).toBe(1100);
  });

  it('is valid Python and JavaScript', async () => {
    const parser = await pythonParser();
    const corpus = new Map([...webAppCorpus(2), ...[...largeAppCorpus()].filter(([p]) => !p.includes('/domain/') || p.includes('area_00/'))]);
    let python = 0;
    let js = 0;
    for (const [path, text] of corpus) {
      if (path.endsWith('.py')) {
        const tree = parsePython(parser, text);
        expect(tree.rootNode.hasError, path).toBe(false);
        tree.delete();
        python++;
      } else if (path.endsWith('.js')) {
        expect(() => parseJs('babylon', text), path).not.toThrow();
        js++;
      }
    }
    expect(python).toBeGreaterThan(50);
    expect(js).toBeGreaterThan(3);
  });

  it('gives every codemod something to change', async () => {
    const dir = tempDir();
    writeCorpus(dir, webAppCorpus(1));
    const result = await runCli(['run', dir, '--json', '--allow', 'review'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { codemods: { id: string; changedFiles: unknown[] }[] };
    const changed = Object.fromEntries(report.codemods.map((c) => [c.id, c.changedFiles.length]));
    for (const id of ['python/print-to-logging', 'python/pydantic-configdict', 'python/secret-from-env', 'python/sqlite-connect-args', 'js/innerhtml-to-textcontent']) {
      expect(changed[id], id).toBeGreaterThan(0);
    }
  });
});

describe('copySources and listSources', () => {
  it('keep only the files shipshape reads', () => {
    const from = tempDir();
    const put = (path: string, content: string | Buffer) => {
      mkdirSync(join(from, path, '..'), { recursive: true });
      writeFileSync(join(from, path), content);
    };
    put('a.py', 'x = 1\n');
    put('pkg/b.py', 'y = 2\n');
    put('pkg/notes.txt', 'not source\n');
    put('venv/c.py', 'z = 3\n');
    put('test/d.py', 'w = 4\n');
    put('latin1.py', Buffer.from([0x23, 0xe9, 0x0a]));
    put('big.py', `# ${'x'.repeat(MAX_BYTES)}\n`);
    const to = join(tempDir(), 'copy');
    const result = copySources(from, to, ['.py'], ['test']);
    expect(result).toEqual({ files: 2, bytes: 12, left: { tooLarge: 1, notText: 1 } });
    expect(listSources(to).map((p) => p.slice(to.length + 1))).toEqual(['a.py', 'pkg/b.py']);
    expect(readFileSync(join(to, 'pkg', 'b.py'), 'utf8')).toBe('y = 2\n');
  });
});

const measured = (ms: number, rss: number | null = 100): Measured => ({ samplesMs: [ms, ms + 10, ms - 10], medianMs: ms, peakRssMiB: rss, cpuPerWall: 1 });

function pairRow(id: string, scale: number | null, codemods: 'all' | 'python', shipMs: number, rawMs: number, rss = 150): PairRow {
  return {
    id,
    corpus: id.startsWith('web') ? 'web' : id,
    scale,
    codemods,
    files: 10,
    bytes: 1000,
    shipshape: { ...measured(shipMs, rss), filesConsidered: 10, filesParsed: 4, changed: 2 },
    baseline: measured(rawMs),
    ratio: Math.round((rawMs / shipMs) * 100) / 100,
  };
}

function results(pairs: PairRow[], extra: Partial<Results> = {}): Results {
  const base = {
    pairs,
    corpora: [
      { id: 'stdlib', description: 'Python standard library', files: 10, bytes: 1000 },
      { id: 'web', description: 'generated web app', files: 10, bytes: 1000 },
    ],
    fixedCost: { shipshape: measured(200, 60), node: measured(40, 40) },
    endToEnd: [
      { id: 'demo', description: '`shipshape demo`', measured: measured(2500), children: { git: 40, python3: 1 }, pullRequests: 5 },
      { id: 'apply', description: '`apply`', measured: measured(3500), children: { git: 20, python3: 1 }, pullRequests: 5 },
    ],
    ...extra,
  };
  return {
    schemaVersion: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    benchMs: 1000,
    quick: false,
    repeats: 3,
    environment: { node: 'v20.0.0', platform: 'linux x64', cpus: 2, cpuModel: 'cpu', python: 'Python 3.11.7', git: 'git version 2', rssMethod: 'gnu-time', childCounting: 'wrapper scripts on PATH' },
    shipshape: { version: '0.1.0', commit: 'abc', dirty: false },
    goals: evaluateGoals(base),
    notes: [],
    ...base,
  };
}

describe('goals', () => {
  const pairs = [pairRow('stdlib', null, 'all', 1000, 2000), pairRow('web-1x', 1, 'all', 1000, 1400), pairRow('web-1x-python', 1, 'python', 800, 1400), pairRow('web-4x', 4, 'all', 4200, 5600, 450)];
  const goals = Object.fromEntries(evaluateGoals(results(pairs)).map((g) => [g.id, g]));

  it('compares the raw parse time with shipshape time (baseline / shipshape ≥ 1.5)', () => {
    expect(goals['ratio:stdlib']).toMatchObject({ value: 2, met: true });
    expect(goals['ratio:web-1x']).toMatchObject({ value: 1.4, met: false });
    expect(goals['ratio:web-1x-python']).toMatchObject({ value: 1.75, met: true });
    expect(goals['ratio:web-1x-python']!.description).toContain('Python codemods only');
  });

  it('checks fixed cost, end-to-end limits, RSS at 4 × and scaling', () => {
    expect(goals['fixed-cost']).toMatchObject({ value: 0.2, met: true });
    expect(goals['demo']).toMatchObject({ value: 2.5, met: true });
    expect(goals['apply']).toMatchObject({ value: 3.5, met: false });
    expect(goals['peak-rss-4x']).toMatchObject({ value: 450, met: false });
    expect(goals['scaling']).toMatchObject({ value: 4.2, met: false });
  });

  it('marks what was not measured as such, not as met', () => {
    const quick = Object.fromEntries(evaluateGoals(results([pairRow('web-1x', 1, 'all', 1000, 2000)], { fixedCost: null, endToEnd: [] })).map((g) => [g.id, g]));
    for (const id of ['fixed-cost', 'demo', 'apply', 'apply-dry-run-large', 'peak-rss-4x', 'scaling']) expect(quick[id], id).toMatchObject({ value: null, met: null });
  });

  it('prints each goal with its verdict', () => {
    const text = formatResults(results(pairs));
    expect(text).toMatch(/generated web app 1 ×\s+all\s+10/);
    expect(text).toMatch(/`apply` on the fixture repository\s+< 3 s\s+3\.5 s\s+MISSED/);
    expect(text).toMatch(/`shipshape demo`\s+< 3 s\s+2\.5 s\s+met/);
  });
});

describe('results.json', () => {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'bench', 'results.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

  it('matches its schema', () => {
    const ok = validate(results([pairRow('web-1x', 1, 'all', 1000, 2000)]));
    expect(ajvText(validate.errors)).toBe('');
    expect(ok).toBe(true);
  });

  it('the schema rejects a result that is not one', () => {
    const bad = results([pairRow('web-1x', 1, 'all', 1000, 2000)]) as unknown as { pairs: { codemods: string }[]; goals: { met: unknown }[] };
    bad.pairs[0]!.codemods = 'some';
    bad.goals[0]!.met = 'yes';
    expect(validate(bad)).toBe(false);
    expect(ajvText(validate.errors)).toMatch(/codemods[\s\S]*met/);
  });
});

function ajvText(errors: { instancePath: string; message?: string }[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');
}

describe('summaries', () => {
  it('take the median of the samples and the highest RSS', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(summarise([{ ms: 300, rssKiB: 2048, cpuS: 0.3, code: 0 }, { ms: 100, rssKiB: 4096, cpuS: 0.2, code: 0 }, { ms: 200, rssKiB: 1024, cpuS: 0.4, code: 0 }])).toEqual({ samplesMs: [300, 100, 200], medianMs: 200, peakRssMiB: 4, cpuPerWall: 2 });
  });
});
