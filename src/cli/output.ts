import pc from 'picocolors';
import type { Codemod } from '../engine/types.js';
import { quotePath, WRITE_FAILURES, type RunReport } from '../engine/run.js';
import { accountFindings, type FindingsAccount } from '../plan/account.js';
import type { Plan } from '../plan/types.js';

export type Colors = ReturnType<typeof pc.createColors>;

/** Colour only when writing to a terminal and NO_COLOR is not set (FORCE_COLOR forces it on). */
export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Colors {
  const enabled = env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : Boolean(stream.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  return pc.createColors(enabled);
}

export function colorDiff(diff: string, c: Colors): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}

export function formatCodemodTable(codemods: readonly Codemod[], c: Colors): string {
  const rows = codemods.map((m) => [m.meta.id, m.meta.safety, m.meta.security ? 'security' : '', m.meta.title] as const);
  const width = Math.max(...rows.map((r) => r[0].length), 2);
  const lines = rows.map(([id, safety, security, title]) => `${c.bold(id.padEnd(width))}  ${safety.padEnd(6)}  ${security.padEnd(8)}  ${title}`);
  const details = codemods.map((m) => `  ${m.meta.id}: ${m.meta.summary}`);
  return [`${'ID'.padEnd(width)}  SAFETY  KIND      TITLE`, ...lines, '', 'What each fixes:', ...details].join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `a.py, b.py` or `a.py, b.py and 12 more`. */
function examples(paths: readonly string[], shown = 2): string {
  const head = paths.slice(0, shown).map(quotePath).join(', ');
  return paths.length > shown ? `${head} and ${paths.length - shown} more` : head;
}

/** One line per codemod and reason for what the project kept a codemod from (roles, dependency versions). */
export function formatScope(report: RunReport, c: Colors): string[] {
  const out: string[] = [];
  const roles = new Map<string, RunReport['scope']>();
  for (const entry of report.scope) {
    if (entry.kind !== 'role') continue;
    roles.set(entry.codemod, [...(roles.get(entry.codemod) ?? []), entry]);
  }
  for (const [codemod, entries] of roles) {
    const parts = entries.map((e) => `${e.reason} ${plural(e.paths.length, 'file')} (${examples(e.paths)})`);
    out.push(`${c.dim('not edited')} ${c.dim(`[${codemod}]`)} by path role: ${parts.join('; ')}`);
  }
  for (const entry of report.scope) {
    const files = plural(entry.paths.length, 'file');
    if (entry.kind === 'declined') out.push(`${c.yellow('declined')} ${c.dim(`[${entry.codemod}]`)} ${files}: ${entry.reason}`);
    if (entry.kind === 'review') out.push(`${c.yellow('review')} ${c.dim(`[${entry.codemod}]`)} ${files}: ${entry.reason}; its changes are held for review`);
    if (entry.kind === 'assumed') out.push(`${c.dim('assumed')} ${c.dim(`[${entry.codemod}]`)} ${files}: ${entry.reason}`);
  }
  for (const problem of report.project.problems) out.push(`${c.yellow('project')} ${problem}`);
  const off = report.project.codemodsOff;
  if (off.length > 0) out.push(`${c.dim('not run')} ${off.join(', ')}: turned off in .github/shipshape.yml (name one with --codemod to run it anyway)`);
  return out;
}

/** A note's reason without the values it names: notes with the same shape group together. */
export function reasonShape(message: string): string {
  return message
    .replace(/`[^`]*`/g, '`…`')
    .replace(/\b(class|subclass|base|function|def|module)\s+[A-Za-z_][\w.]*/g, '$1 …')
    .replace(/[\w./-]+\.(py|js|mjs|cjs|ts|tsx|jsx)\b/g, '…')
    .replace(/\b\d+\b/g, '#');
}

export interface Grouped<T> {
  first: T;
  all: T[];
}

/** Items grouped by a key, in order of first appearance. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Grouped<T>[] {
  const groups = new Map<string, Grouped<T>>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.all.push(item);
    else groups.set(k, { first: item, all: [item] });
  }
  return [...groups.values()];
}

/** ` (and 58 more like it: a.py:3, b.py:9, …; --verbose lists each)` after a group's first line. */
function moreLikeIt(places: readonly string[]): string {
  if (places.length === 0) return '';
  const shown = places.slice(0, 2).join(', ');
  return ` (and ${places.length} more like it: ${shown}${places.length > 2 ? ', …' : ''}; --verbose lists each)`;
}

/**
 * The closing lines of a run, for stderr: counts, places left alone and why,
 * skipped files. Notes that give the same reason are one line with a count
 * unless `verbose`.
 */
export function formatSummary(report: RunReport, c: Colors, mode: 'dry-run' | 'write' | 'check', verbose = false): string {
  const s = report.summary;
  const out: string[] = [];
  for (const codemod of report.codemods) {
    const kind = (n: (typeof codemod.notes)[number]) => (n.remains ? 'open' : n.caveat ? 'caveat' : 'alone');
    const groups = verbose ? codemod.notes.map((n) => ({ first: n, all: [n] })) : groupBy(codemod.notes, (n) => `${kind(n)}\0${reasonShape(n.message)}`);
    for (const { first: note, all } of groups) {
      const label = { open: c.red('still open'), caveat: c.cyan('note'), alone: c.yellow('left alone') }[kind(note)];
      const more = moreLikeIt(all.slice(1).map((n) => `${quotePath(n.path)}:${n.line}`));
      out.push(`${label} ${quotePath(note.path)}:${note.line} ${c.dim(`[${codemod.id}]`)} ${note.message}${c.dim(more)}`);
    }
    for (const held of codemod.held) {
      out.push(`${c.yellow('held')} ${quotePath(held.path)}:${held.line} ${c.dim(`[${codemod.id}]`)} ${held.safety} change not applied (${held.description}); use --allow review`);
    }
  }
  out.push(...formatScope(report, c));
  let notWritten = 0;
  for (const file of report.files) {
    if (file.status !== 'skipped') continue;
    const failedWrite = WRITE_FAILURES.has(file.reason);
    if (failedWrite) notWritten++;
    out.push(`${failedWrite ? c.red('not written') : c.magenta('skipped')} ${quotePath(file.path)}: ${file.message}`);
  }
  const verb = mode === 'write' ? 'changed' : 'would change';
  const head = `${plural(s.changed, 'file')} ${verb}, ${plural(s.changes, 'change')} (${plural(s.edits, 'edit')}); ${s.unchanged} unchanged, ${s.skipped} skipped, ${plural(s.notes, 'place')} left alone (${plural(s.filesConsidered, 'file')} considered, ${s.filesParsed} parsed, ${report.elapsedMs} ms)`;
  out.push(s.changed > 0 ? c.bold(head) : head);
  if (s.held > 0 && report.options.maxSafety === 'safe') out.push(c.yellow(`${plural(s.held, 'review change')} held: re-run with --allow review to apply ${s.held === 1 ? 'it' : 'them'}.`));
  if (notWritten > 0) out.push(c.red(`${plural(notWritten, 'file')} could not be written (exit code 3).`));
  if (mode === 'dry-run' && s.changed > 0) out.push(c.dim('Dry run: nothing was written. Re-run with --write to apply.'));
  if (report.verification.pythonCompile === 'unavailable') out.push(c.yellow('python3 was not found: changed Python files were not compile-checked.'));
  return out.join('\n');
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Where every finding given went, for people: one line that adds up
 * (`97 findings: 18 to fix in 1 item, 75 not confirmed, 4 with no codemod`),
 * then the findings not acted on, grouped by reason unless `verbose`.
 */
export function formatFindings(account: FindingsAccount, c: Colors, opts: { verbose?: boolean; inItems?: string }): string[] {
  if (account.total === 0) return [];
  const rejected = account.rejected > 0 ? `, ${account.rejected} rejected` : '';
  const inItems = opts.inItems ?? `${account.inItems} to fix in ${plural(account.items, 'item')}`;
  const out = [`${plural(account.total, 'finding')}: ${inItems}, ${account.notConfirmed.length} not confirmed, ${account.noCodemod.length} with no codemod${rejected}`];
  const notConfirmed = opts.verbose ? account.notConfirmed.map((n) => ({ first: n, all: [n] })) : groupBy(account.notConfirmed, (n) => `${n.tool}\0${n.ruleId}\0${reasonShape(n.reason)}`);
  for (const { first: n, all } of notConfirmed) {
    const more = moreLikeIt(all.slice(1).map((x) => `${x.path}:${x.line}`));
    out.push(`${c.yellow('not confirmed')} ${n.path}:${n.line} [${n.tool} ${n.ruleId}] ${n.reason}${c.dim(more)}`);
  }
  for (const { first: u, all } of groupBy(account.noCodemod, (u) => `${u.tool}\0${u.ruleId}`)) {
    const shown = opts.verbose ? all : all.slice(0, 3);
    const places = shown.map((f) => `${f.path}:${f.line}`).join(', ') + (shown.length < all.length ? ', …' : '');
    out.push(`${c.yellow('no codemod')} ${u.tool} ${u.ruleId}: no codemod handles this rule (${plural(all.length, 'finding')}: ${places})`);
  }
  return out;
}

/** `shipshape plan` for people: one block per sprint item, then what was not confirmed, unhandled or rejected. */
export function formatPlan(plan: Plan, c: Colors, verbose = false): string {
  const out: string[] = [];
  const width = Math.max(4, ...plan.items.map((i) => i.key.length));
  for (const item of plan.items) {
    const status = item.automatable ? c.green('automatable') : c.yellow('needs a human');
    const tags = item.security ? ` ${c.red('security')}` : '';
    out.push(`${c.bold(item.key.padEnd(width))}  ${c.bold(shorten(item.title, 60))}  ${status}${tags}`);
    const pad = ' '.repeat(width + 2);
    if (item.automatable) {
      out.push(`${pad}codemods: ${item.codemods.join(', ')}`);
      for (const file of item.files) {
        const count = item.findings.filter((f) => f.path === file).length;
        out.push(`${pad}  ${file} ${c.dim(`(${count} finding${count === 1 ? '' : 's'})`)}`);
        for (const f of item.findings.filter((x) => x.path === file && x.remains)) {
          out.push(`${pad}    ${c.yellow('partly fixed')} ${f.path}:${f.startLine}: ${shorten(f.remains!, 140)}`);
        }
      }
    } else if (item.reason) {
      out.push(`${pad}why: ${shorten(item.reason, 160)}`);
    }
    out.push(`${pad}rollback: ${item.rollback ? shorten(item.rollback, 120) : c.dim('(the plan gives none)')}`);
    if (item.automatable && item.manualTasks.length > 0) out.push(`${pad}${c.dim(`tasks no codemod matched (check, then do by hand): ${shorten(item.manualTasks.join('; '), 140)}`)}`);
  }
  const automatable = plan.items.filter((i) => i.automatable).length;
  out.push('');
  const account = accountFindings(plan);
  out.push(c.bold(`${automatable} of ${plan.items.length} items automatable, ${plan.items.length - automatable} need a human`));
  out.push(...formatFindings(account, c, { verbose }));
  for (const r of plan.rejected) out.push(`${c.magenta('rejected')} ${r.source}: ${r.reason}`);
  for (const w of plan.warnings) out.push(`${c.dim('warning')} ${w}`);
  return out.join('\n');
}
