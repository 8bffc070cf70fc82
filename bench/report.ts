/**
 * What `npm run bench` writes to bench/results.json (bench/results.schema.json)
 * and prints: the measurements, and the issue's goals marked met or not.
 */
import type { Measured } from './measure.js';

export interface CorpusInfo {
  id: string;
  description: string;
  files: number;
  bytes: number;
}

/** One corpus, shipshape's `run` (dry run) against a raw parse of the same files, both whole processes. */
export interface PairRow {
  id: string;
  corpus: string;
  /** Size factor of a generated corpus; null for copied ones. */
  scale: number | null;
  /** Which codemods ran: all of them, or only the Python ones (`-c` each). */
  codemods: 'all' | 'python';
  /** Files the baseline parsed (shipshape considered the same files). */
  files: number;
  bytes: number;
  shipshape: Measured & { filesConsidered: number | null; filesParsed: number | null; changed: number | null };
  baseline: Measured;
  /** baseline time / shipshape time: above 1, shipshape is faster than the raw parse. */
  ratio: number;
}

export interface EndToEndRow {
  id: string;
  description: string;
  measured: Measured;
  /** git and python3 processes started, counted in one extra run through wrapper scripts; null when not counted. */
  children: Record<string, number> | null;
  /** Pull requests (or parts) the run proposed, when it says. */
  pullRequests: number | null;
}

export interface Goal {
  id: string;
  description: string;
  target: string;
  value: number | null;
  unit: '×' | 's' | 'MiB';
  /** null: not measured in this run (a corpus or tool was missing, or --quick). */
  met: boolean | null;
}

export interface Results {
  schemaVersion: 1;
  startedAt: string;
  benchMs: number;
  quick: boolean;
  repeats: number;
  environment: {
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    python: string | null;
    git: string | null;
    rssMethod: 'gnu-time' | 'proc-vmhwm' | 'none';
    childCounting: string;
  };
  shipshape: { version: string; commit: string | null; dirty: boolean | null };
  corpora: CorpusInfo[];
  pairs: PairRow[];
  fixedCost: { shipshape: Measured; node: Measured } | null;
  endToEnd: EndToEndRow[];
  goals: Goal[];
  notes: string[];
}

export const RATIO_GOAL = 1.5;
export const FIXED_COST_GOAL_S = 0.25;
export const APPLY_GOAL_S = 3;
export const LARGE_DRY_RUN_GOAL_S = 4;
export const RSS_GOAL_MIB = 400;
export const SCALING_GOAL = 4;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The issue's goals, from the measurements. A goal whose measurement is missing is `met: null`. */
export function evaluateGoals(r: Pick<Results, 'pairs' | 'fixedCost' | 'endToEnd' | 'corpora'>): Goal[] {
  const goals: Goal[] = [];
  const corpusName = (id: string) => r.corpora.find((c) => c.id === id)?.description ?? id;
  for (const p of r.pairs) {
    const what = p.codemods === 'python' ? 'Python codemods only' : 'all codemods';
    goals.push({
      id: `ratio:${p.id}`,
      description: `${what} vs raw parse: ${corpusName(p.corpus)}${p.scale ? ` ${p.scale} ×` : ''}`,
      target: `≥ ${RATIO_GOAL} ×`,
      value: round2(p.ratio),
      unit: '×',
      met: p.ratio >= RATIO_GOAL,
    });
  }
  const fixed = r.fixedCost ? r.fixedCost.shipshape.medianMs / 1000 : null;
  goals.push({ id: 'fixed-cost', description: 'fixed cost: `run` on an empty directory', target: `< ${FIXED_COST_GOAL_S} s`, value: fixed === null ? null : round2(fixed), unit: 's', met: fixed === null ? null : fixed < FIXED_COST_GOAL_S });
  const e2e = (id: string) => r.endToEnd.find((e) => e.id === id);
  for (const [id, description, limit] of [
    ['demo', '`shipshape demo`', APPLY_GOAL_S],
    ['apply', '`apply` on the fixture repository', APPLY_GOAL_S],
    ['apply-dry-run-large', '`apply --dry-run` on the generated 1,100-file app', LARGE_DRY_RUN_GOAL_S],
  ] as const) {
    const row = e2e(id);
    const s = row ? row.measured.medianMs / 1000 : null;
    goals.push({ id, description, target: `< ${limit} s`, value: s === null ? null : round2(s), unit: 's', met: s === null ? null : s < limit });
  }
  const fourX = r.pairs.filter((p) => p.scale === 4 && p.shipshape.peakRssMiB !== null);
  const rss = fourX.length ? Math.max(...fourX.map((p) => p.shipshape.peakRssMiB!)) : null;
  goals.push({ id: 'peak-rss-4x', description: 'peak RSS of shipshape at 4 × corpus', target: `< ${RSS_GOAL_MIB} MiB`, value: rss, unit: 'MiB', met: rss === null ? null : rss < RSS_GOAL_MIB });
  const one = r.pairs.find((p) => p.scale === 1 && p.codemods === 'all');
  const four = r.pairs.find((p) => p.scale === 4 && p.codemods === 'all' && p.corpus === one?.corpus);
  const scaling = one && four ? four.shipshape.medianMs / one.shipshape.medianMs : null;
  goals.push({ id: 'scaling', description: 'scaling 1 × → 4 × corpus (time ratio)', target: `≤ ${SCALING_GOAL} ×`, value: scaling === null ? null : round2(scaling), unit: '×', met: scaling === null ? null : scaling <= SCALING_GOAL });
  return goals;
}

function table(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (v: number | null) => (v === null ? '-' : `${v} MiB`);
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

export function formatResults(r: Results): string {
  const out: string[] = [];
  const env = r.environment;
  out.push(
    `shipshape ${r.shipshape.version}${r.shipshape.commit ? ` at ${r.shipshape.commit}${r.shipshape.dirty ? ' (with local changes)' : ''}` : ''}; node ${env.node}, ${env.cpus} × ${env.cpuModel}`,
    `${r.quick ? 'quick run: ' : ''}median of ${r.repeats}, each pair alternated; whole process against whole process; peak RSS by ${env.rssMethod}`,
    '',
  );
  if (r.pairs.length) {
    out.push('shipshape `run` (dry run) vs a raw single-threaded parse of the same files (ratio = baseline / shipshape; above 1 shipshape is faster)');
    out.push(
      table(
        ['corpus', 'codemods', 'files', 'MB', 'parsed', 'changed', 'shipshape', 'raw parse', 'ratio', 'CPU/wall', 'RSS', 'raw RSS'],
        r.pairs.map((p) => [
          `${r.corpora.find((c) => c.id === p.corpus)?.description ?? p.corpus}${p.scale ? ` ${p.scale} ×` : ''}`,
          p.codemods,
          String(p.files),
          mb(p.bytes),
          String(p.shipshape.filesParsed ?? '-'),
          String(p.shipshape.changed ?? '-'),
          s(p.shipshape.medianMs),
          s(p.baseline.medianMs),
          `${p.ratio.toFixed(2)} ×`,
          p.shipshape.cpuPerWall === null ? '-' : p.shipshape.cpuPerWall.toFixed(2),
          mib(p.shipshape.peakRssMiB),
          mib(p.baseline.peakRssMiB),
        ]),
        [false, false, true, true, true, true, true, true, true, true, true, true],
      ),
      '',
    );
  }
  if (r.fixedCost) {
    const f = r.fixedCost;
    out.push(`fixed cost: \`run\` on an empty directory ${s(f.shipshape.medianMs)} vs \`node -e 0\` ${s(f.node.medianMs)} (${s(f.shipshape.medianMs - f.node.medianMs)} more; RSS ${mib(f.shipshape.peakRssMiB)})`, '');
  }
  if (r.endToEnd.length) {
    out.push('end to end');
    out.push(
      table(
        ['run', 'wall', 'git', 'python3', 'PRs', 'RSS'],
        r.endToEnd.map((e) => [e.description, s(e.measured.medianMs), String(e.children?.git ?? '-'), String(e.children?.python3 ?? '-'), String(e.pullRequests ?? '-'), mib(e.measured.peakRssMiB)]),
        [false, true, true, true, true, true],
      ),
      '',
    );
  }
  out.push('goals (issue #11)');
  out.push(
    table(
      ['goal', 'target', 'measured', ''],
      r.goals.map((g) => [g.description, g.target, g.value === null ? '-' : `${g.value}${g.unit === 'MiB' ? ' MiB' : ` ${g.unit}`}`, g.met === null ? 'not measured' : g.met ? 'met' : 'MISSED']),
      [false, false, true, false],
    ),
  );
  if (r.notes.length) out.push('', ...r.notes.map((n) => `note: ${n}`));
  out.push('', `benchmark took ${(r.benchMs / 1000).toFixed(0)} s`);
  return out.join('\n');
}
