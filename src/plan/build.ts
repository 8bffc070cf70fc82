import type { Codemod } from '../engine/types.js';
import { makeFinding } from '../findings/finding.js';
import type { Finding, RejectedFinding } from '../findings/types.js';
import { indexRepoFiles, lookupRef, type RepoFileIndex } from './markdown/resolve.js';
import type { ParsedPlan, PlanRef, PlanSection } from './markdown/types.js';
import { confirms, leftAloneReason, type Detector } from './detect.js';
import { codemodForFinding, codemodForText, codemodsInText, keywordRules, ruleMatches } from './rules.js';
import { PLAN_SCHEMA_VERSION, type NotConfirmed, type Plan, type SprintItem } from './types.js';

export interface PlanInputs {
  repo: string;
  /** Repository-relative paths of every file in the repository. */
  files: readonly string[];
  codemods: readonly Codemod[];
  /** Codemods the config file turns off: their work is left to people, and the plan says why. */
  disabled?: readonly Codemod[];
  detector: Detector;
  sprintPlan?: ParsedPlan;
  findings?: readonly Finding[];
  rejected?: readonly RejectedFinding[];
  inputs: Plan['inputs'];
}

interface Draft {
  item: SprintItem;
  /** Confirmed findings per codemod. */
  confirmed: Map<string, Finding[]>;
  /** Codemods turned off in the config file that the item's text names. */
  off?: string[];
}

/** One thing a plan section asks for: a task, or an issue reference. */
interface Unit {
  text: string;
  refs: PlanRef[];
}

function emptyItem(fields: Pick<SprintItem, 'key' | 'title' | 'origin'> & Partial<SprintItem>): SprintItem {
  return { codemods: [], files: [], findings: [], rollback: null, prerequisites: [], security: false, automatable: false, manualTasks: [], ...fields };
}

function planFinding(codemods: readonly Codemod[], codemod: string, path: string, startLine: number, endLine: number | undefined, message: string, source: string): Finding {
  const rule = keywordRules(codemods).find((r) => r.codemod === codemod)?.id ?? codemod;
  return makeFinding({ tool: 'plan', ruleId: rule, message, path, startLine, endLine, severity: 'warning', source });
}

function unitsOf(section: PlanSection): Unit[] {
  return [
    ...section.issues.map((ref) => ({ text: ref.note ?? ref.raw, refs: [ref] })),
    ...section.tasks.filter((t) => !t.done).map((t) => ({ text: t.text, refs: t.refs })),
  ];
}

class Planner {
  private readonly index: RepoFileIndex;
  private readonly byId: Map<string, Codemod>;
  readonly notConfirmed: NotConfirmed[] = [];
  readonly warnings: string[] = [];
  /** Findings left alone because the codemod that fixes them is turned off, by codemod. */
  readonly offFindings = new Map<string, number>();

  constructor(private readonly inputs: PlanInputs) {
    this.index = indexRepoFiles(inputs.files);
    this.byId = new Map(inputs.codemods.map((c) => [c.meta.id, c]));
  }

  private codemod(id: string): Codemod | undefined {
    return this.byId.get(id);
  }

  /**
   * Runs the codemod's detector on the finding's file. Confirmed when an edit
   * overlaps the finding's lines; a finding with `wholeFile` (a plan reference
   * without a line) is confirmed by any edit and takes the edits' lines.
   */
  private async check(finding: Finding, codemodId: string, wholeFile = false): Promise<{ ok: true; finding: Finding } | { ok: false; reason: string }> {
    const codemod = this.codemod(codemodId);
    if (!codemod) return { ok: false, reason: `no codemod ${codemodId}` };
    const detection = await this.inputs.detector.detect(finding.path, codemod);
    const first = detection.edits[0];
    if (wholeFile && first) return { ok: true, finding: { ...finding, startLine: first.line, endLine: detection.edits.at(-1)!.endLine } };
    const end = finding.endLine ?? finding.startLine;
    if (confirms(detection, finding.startLine, end)) return { ok: true, finding };
    // Part of it is fixed, part remains (one slot of several left alone): it goes with its item, saying what remains.
    const remains = detection.notes.find((n) => n.remains && n.line >= finding.startLine && n.line <= end);
    if (remains && detection.edits.some((e) => e.line <= end && e.endLine >= finding.startLine)) return { ok: true, finding: { ...finding, remains: remains.message } };
    const lines = end !== finding.startLine ? `${finding.startLine}-${end}` : `${finding.startLine}`;
    const rule = codemod.meta.fixes.find((f) => ruleMatches(f, finding.tool, finding.ruleId));
    const where = async () => {
      const text = await this.inputs.detector.lineText(finding.path, finding.startLine);
      return `${finding.ruleId} at ${finding.path}:${lines}${text ? ` (\`${text}\`)` : ''}`;
    };
    const reason =
      (detection.outOfScope && `out of scope: ${detection.outOfScope}`) ??
      detection.skipped ??
      leftAloneReason(detection, finding.startLine, end) ??
      (rule?.note && `${finding.ruleId} at ${finding.path}:${lines}: ${rule.note} (see docs/rules.md)`) ??
      (first
        ? `${codemodId} changes ${finding.path} only at line ${detection.edits.map((e) => e.line).join(', ')}, not at ${lines}`
        : rule?.unmatched
          ? `${await where()}: ${codemodId} ${rule.unmatched}; nothing of that shape here`
          : `${await where()}: ${codemodId} finds nothing to change there`);
    return { ok: false, reason };
  }

  /** Confirms a finding into `draft`; when `report` is set, an unconfirmed one is listed with the reason. */
  private async confirm(draft: Draft, finding: Finding, codemodId: string, options: { report: boolean; wholeFile?: boolean }): Promise<boolean> {
    const result = await this.check(finding, codemodId, options.wholeFile);
    if (result.ok) {
      addConfirmed(draft, codemodId, result.finding);
      return true;
    }
    if (options.report) this.notConfirmed.push({ item: draft.item.key || undefined, finding, codemod: codemodId, reason: result.reason });
    return false;
  }

  /** A plan section: its tasks and issue references, matched to codemods and confirmed. */
  async section(section: PlanSection, source: string): Promise<Draft> {
    const item = emptyItem({ key: section.key, title: section.title, origin: 'plan', rollback: section.rollback ?? null });
    if (section.phase) item.phase = section.phase;
    if (section.when) item.when = section.when;
    const draft: Draft = { item, confirmed: new Map() };
    const disabled = this.inputs.disabled ?? [];
    if (disabled.length > 0) draft.off = codemodsInText([section.title, ...section.code.map((c) => c.value), ...unitsOf(section).map((u) => u.text)].join('\n'), disabled);
    // A task that names no codemod may still be one of the section's fixes when the
    // section's title or code names it (seed 001 puts check_same_thread only in code).
    const hinted = codemodsInText([section.title, ...section.code.map((c) => c.value)].join('\n'), this.inputs.codemods);
    const unscoped: { unit: Unit; codemod: string }[] = [];
    for (const unit of unitsOf(section)) {
      const named = codemodForText(unit.text, this.inputs.codemods, unit.refs.length > 0);
      if (unit.refs.length === 0) {
        if (named) unscoped.push({ unit, codemod: named });
        else item.manualTasks.push(unit.text);
        continue;
      }
      let handled = false;
      for (const ref of unit.refs) {
        const found = lookupRef(ref, this.index);
        if (!found.ok) {
          // Never guess between files: say which reference could not be placed, and why.
          const what = found.reason === 'ambiguous' ? `ambiguous, could be ${found.candidates.join(' or ')}` : 'no such file in the repository';
          this.warnings.push(`${source}:${ref.line}: ${ref.raw}: ${what}`);
          continue;
        }
        const candidates = named ? [named] : hinted;
        for (const codemodId of candidates) {
          const finding = planFinding(this.inputs.codemods, codemodId, found.file, ref.startLine ?? 1, ref.endLine ?? ref.startLine, unit.text, `${source}:${ref.line}`);
          // A reference the task itself names a codemod for is reported when unconfirmed; one the
          // section only hints at is tried quietly. Without a line, any change in the file confirms it.
          handled ||= await this.confirm(draft, finding, codemodId, { report: Boolean(named), wholeFile: ref.startLine === undefined });
        }
      }
      if (!handled && !named) item.manualTasks.push(unit.text);
    }
    // A task such as "Replace 15 print() statements" names no file: its scope is the repository,
    // unless the section already pinned that codemod to files.
    for (const { unit, codemod } of unscoped) {
      if (draft.confirmed.has(codemod)) continue;
      await this.scan(draft, codemod, unit.text, source);
    }
    return draft;
  }

  /** Repository-wide: every file the codemod would change becomes a finding of the item. */
  async scan(draft: Draft, codemodId: string, message: string, source: string): Promise<void> {
    const codemod = this.codemod(codemodId);
    if (!codemod) return;
    const files = this.inputs.files.filter((f) => codemod.meta.extensions.includes(f.slice(f.lastIndexOf('.')).toLowerCase()));
    for (const path of files) {
      const detection = await this.inputs.detector.detect(path, codemod);
      const first = detection.edits[0];
      if (!first) continue;
      addConfirmed(draft, codemodId, planFinding(this.inputs.codemods, codemodId, path, first.line, detection.edits.at(-1)!.endLine, message, source));
    }
  }

  /** Attaches findings from analysis tools to the plan's items, or to new items per codemod. */
  async findings(drafts: Draft[], findings: readonly Finding[]): Promise<{ extra: Draft[]; unhandled: Plan['unhandled'] }> {
    const extra = new Map<string, Draft>();
    const unhandled = new Map<string, Plan['unhandled'][number]>();
    for (const finding of findings) {
      const codemodId = codemodForFinding(finding, this.inputs.codemods);
      if (!codemodId) {
        const off = codemodForFinding(finding, this.inputs.disabled ?? []);
        if (off) this.offFindings.set(off, (this.offFindings.get(off) ?? 0) + 1);
        const key = `${finding.tool}\0${finding.ruleId}`;
        const group = unhandled.get(key) ?? { tool: finding.tool, ruleId: finding.ruleId, findings: [] };
        group.findings.push(finding);
        unhandled.set(key, group);
        continue;
      }
      const inPlan = drafts.find((d) => d.confirmed.get(codemodId)?.some((f) => f.path === finding.path)) ?? drafts.find((d) => d.confirmed.has(codemodId));
      const home = inPlan ?? extra.get(codemodId) ?? newDraft(codemodId, this.codemod(codemodId)!, 'findings');
      if ((await this.confirm(home, finding, codemodId, { report: true })) && !inPlan) extra.set(codemodId, home);
    }
    return { extra: [...extra.values()], unhandled: [...unhandled.values()] };
  }
}

function newDraft(codemodId: string, codemod: Codemod, origin: SprintItem['origin']): Draft {
  return { item: emptyItem({ key: '', title: codemod.meta.title, origin, security: codemod.meta.security }), confirmed: new Map([[codemodId, []]]) };
}

function addConfirmed(draft: Draft, codemodId: string, finding: Finding): void {
  const list = draft.confirmed.get(codemodId) ?? [];
  if (!list.some((f) => f.path === finding.path && f.startLine === finding.startLine && f.endLine === finding.endLine && f.tool === finding.tool)) list.push(finding);
  draft.confirmed.set(codemodId, list);
}

/** Fills the derived fields of an item from its confirmed findings. */
function finish(draft: Draft, codemods: readonly Codemod[]): SprintItem {
  const item = draft.item;
  const used = codemods.filter((c) => (draft.confirmed.get(c.meta.id)?.length ?? 0) > 0);
  item.codemods = used.map((c) => c.meta.id);
  item.findings = used.flatMap((c) => draft.confirmed.get(c.meta.id)!);
  item.files = [...new Set(item.findings.map((f) => f.path))].sort();
  item.prerequisites = [...new Set(used.flatMap((c) => c.meta.prerequisites))];
  item.security = item.security || used.some((c) => c.meta.security);
  item.automatable = used.length > 0;
  if (!item.automatable) {
    const off = draft.off ?? [];
    item.reason =
      off.length > 0
        ? `${off.join(', ')} would do this, but .github/shipshape.yml turns ${off.length > 1 ? 'them' : 'it'} off`
        : item.manualTasks.length > 0
        ? `no shipshape codemod does this: ${item.manualTasks.map((t) => t.replace(/\s+/g, ' ').slice(0, 80)).join('; ')}`
        : 'nothing left to change: no codemod confirmed a finding for this item';
  }
  return item;
}

/**
 * Turns a sprint plan and/or findings into an ordered plan of sprint items.
 * With a plan: its sections, in its order, with its keys, titles and rollback
 * lines; findings join the item that already fixes their file with the same
 * codemod, or new items after the plan's. Without a plan: one item per
 * codemod, security first. Without either: every codemod scans the
 * repository and proposes its own item.
 */
export async function buildPlan(inputs: PlanInputs): Promise<Plan> {
  const planner = new Planner(inputs);
  const drafts: Draft[] = [];
  if (inputs.sprintPlan) {
    for (const section of inputs.sprintPlan.sections) drafts.push(await planner.section(section, inputs.sprintPlan.source));
    planner.warnings.push(...inputs.sprintPlan.warnings.map((w) => `${inputs.sprintPlan!.source}:${w.line}: ${w.message}`));
  }
  const { extra, unhandled } = await planner.findings(drafts, inputs.findings ?? []);
  // Nothing given at all (not an empty file: that plans nothing): the codemods look for themselves.
  if (!inputs.inputs.plan && inputs.inputs.findings.length === 0) {
    for (const codemod of inputs.codemods) {
      const draft = newDraft(codemod.meta.id, codemod, 'scan');
      await planner.scan(draft, codemod.meta.id, `${codemod.meta.title} (found by scanning the repository)`, 'scan');
      if ((draft.confirmed.get(codemod.meta.id)?.length ?? 0) > 0) extra.push(draft);
    }
  }
  // Items without a plan are one per codemod, numbered in registry (security-first) order.
  const order = new Map(inputs.codemods.map((c, i) => [c.meta.id, i]));
  extra.sort((a, b) => order.get([...a.confirmed.keys()][0]!)! - order.get([...b.confirmed.keys()][0]!)!);
  extra.forEach((d, i) => (d.item.key = `S${i + 1}`));
  const items = [...drafts, ...extra].map((d) => finish(d, inputs.codemods));
  for (const [codemod, count] of planner.offFindings) {
    planner.warnings.push(`${count} finding(s) for ${codemod} left alone: .github/shipshape.yml turns it off`);
  }
  const scanning = !inputs.inputs.plan && inputs.inputs.findings.length === 0;
  if (scanning && (inputs.disabled ?? []).length > 0) {
    planner.warnings.push(`not scanned with ${inputs.disabled!.map((c) => c.meta.id).join(', ')}: turned off in .github/shipshape.yml`);
  }
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    repo: inputs.repo,
    inputs: inputs.inputs,
    items,
    notConfirmed: planner.notConfirmed,
    unhandled,
    rejected: [...(inputs.rejected ?? [])],
    warnings: planner.warnings,
  };
}
