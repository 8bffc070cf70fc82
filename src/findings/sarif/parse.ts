import type { FindingTool, FindingsResult, Severity } from '../types.js';
import { normaliseRepoPath } from '../paths.js';
import { collect, makeFinding, type ParseContext } from '../finding.js';
import { parseJsonText } from '../json.js';
import { assertSarif } from './validate.js';
import type { SarifArtifactLocation, SarifResult, SarifRule, SarifRun, SarifToolComponent } from './types.js';

/** Reads a SARIF 2.1.0 log (text) into findings. Malformed input throws an InputError. */
export function parseSarif(text: string, ctx: ParseContext): FindingsResult {
  if (text.trim() === '') return { findings: [], rejected: [] };
  return sarifToFindings(parseJsonText(text, ctx.file), ctx);
}

/**
 * Reads an already parsed SARIF log. Every run and every result is read; a
 * result that cannot become a Finding (no location, a path outside the
 * repository, suppressed…) is listed in `rejected` with the reason and
 * `runs[i].results[j]` in its source, and the others are kept.
 */
export function sarifToFindings(value: unknown, ctx: ParseContext): FindingsResult {
  assertSarif(value, ctx.file);
  const out = collect();
  (value.runs ?? []).forEach((run, runIndex) => {
    const tool = toolName(run.tool.driver.name);
    const runCtx: ParseContext = { ...ctx, uriBaseIds: { ...ctx.uriBaseIds, ...resolveUriBaseIds(run) } };
    (run.results ?? []).forEach((result, resultIndex) => {
      const where = `runs[${runIndex}].results[${resultIndex}]`;
      const source = `${ctx.file} ${where}`;
      const read = readResult(result, run, runCtx);
      if (!read.ok) {
        out.reject({ source, reason: read.reason });
        return;
      }
      out.add(makeFinding({ tool, source, ...read.fields }));
    });
  });
  return out.result();
}

/** `runs[].tool.driver.name` → our tool name: the names our codemods' `fixes` use. */
export function toolName(driverName: string): FindingTool {
  const name = driverName.trim().toLowerCase();
  // Semgrep has called itself "semgrep", "Semgrep OSS", "Semgrep PRO"…
  if (name.startsWith('semgrep')) return 'semgrep';
  return name;
}

type ReadResult =
  | { ok: true; fields: { ruleId: string; message: string; path: string; startLine: number; endLine?: number; severity: Severity; url?: string } }
  | { ok: false; reason: string };

function readResult(result: SarifResult, run: SarifRun, ctx: ParseContext): ReadResult {
  const kind = result.kind ?? 'fail';
  // Only 'fail' (and the undecided 'review'/'open') describe a problem to fix.
  if (kind === 'pass' || kind === 'notApplicable' || kind === 'informational') {
    return { ok: false, reason: `kind '${kind}' is not a problem to fix` };
  }
  const suppression = result.suppressions?.find((s) => s.status === undefined || s.status === 'accepted');
  if (suppression) return { ok: false, reason: `suppressed (${suppression.kind}) by the project` };
  if (result.baselineState === 'absent') return { ok: false, reason: "baselineState 'absent': no longer present" };

  const rule = findRule(result, run);
  if (!rule.ok) return rule;
  const { ruleId, descriptor, component } = rule;

  const message = resolveMessage(result, descriptor, component);
  if (!message.ok) return message;

  const location = result.locations?.[0];
  if (!location) return { ok: false, reason: 'no location: the result names no file' };
  const physical = location.physicalLocation;
  if (!physical) return { ok: false, reason: 'no physical location (only logical locations): the result names no file' };
  const artifact = resolveArtifact(physical.artifactLocation, run);
  if (!artifact.ok) return artifact;
  const path = normaliseRepoPath(artifact.location.uri, ctx, { uri: true, uriBaseId: artifact.location.uriBaseId });
  if (!path.ok) return path;

  // A file-level result (no region, or a region given only as byte/char offsets,
  // which need the file to turn into lines) is placed on line 1.
  const startLine = physical.region?.startLine ?? 1;
  const endLine = physical.region?.endLine;
  const severity = result.level ?? descriptor?.defaultConfiguration?.level ?? 'warning';
  return {
    ok: true,
    fields: {
      ruleId,
      message: message.text,
      path: path.path,
      startLine,
      endLine: endLine !== undefined && endLine >= startLine ? endLine : undefined,
      severity,
      url: httpUrl(descriptor?.helpUri),
    },
  };
}

type RuleLookup =
  | { ok: true; ruleId: string; descriptor: SarifRule | undefined; component: SarifToolComponent }
  | { ok: false; reason: string };

/**
 * The rule is named by `ruleId`, `rule.id`, or an index (`ruleIndex`,
 * `rule.index`) into the rules of the driver or of the extension that
 * `rule.toolComponent` points at. A rule id with no metadata is still a rule:
 * planning decides what to do with rules it does not know.
 */
function findRule(result: SarifResult, run: SarifRun): RuleLookup {
  const component = findComponent(result, run);
  if (!component.ok) return component;
  const rules = component.component.rules ?? [];
  const index = result.rule?.index ?? result.ruleIndex;
  const byIndex = index !== undefined && index >= 0 ? rules[index] : undefined;
  const ruleId = result.ruleId ?? result.rule?.id ?? byIndex?.id;
  if (ruleId === undefined) {
    if (index !== undefined && index >= 0) {
      return { ok: false, reason: `rule index ${index} is out of range: ${component.name} has ${rules.length} rule(s)` };
    }
    return { ok: false, reason: 'no rule: the result has no ruleId, rule.id or rule.index' };
  }
  const descriptor = byIndex?.id === ruleId ? byIndex : rules.find((r) => r.id === ruleId) ?? byIndex;
  return { ok: true, ruleId, descriptor, component: component.component };
}

function findComponent(
  result: SarifResult,
  run: SarifRun,
): { ok: true; component: SarifToolComponent; name: string } | { ok: false; reason: string } {
  const driver = run.tool.driver;
  const reference = result.rule?.toolComponent;
  if (!reference) return { ok: true, component: driver, name: `driver '${driver.name}'` };
  const extensions = run.tool.extensions ?? [];
  if (reference.index !== undefined && reference.index >= 0) {
    const extension = extensions[reference.index];
    if (!extension) {
      return { ok: false, reason: `rule.toolComponent.index ${reference.index} is out of range: the run has ${extensions.length} extension(s)` };
    }
    return { ok: true, component: extension, name: `extension '${extension.name}'` };
  }
  const match = [driver, ...extensions].find(
    (c) => (reference.guid !== undefined && c.guid === reference.guid) || (reference.name !== undefined && c.name === reference.name),
  );
  if (!match) return { ok: false, reason: `rule.toolComponent names no tool component of this run (${reference.name ?? reference.guid ?? '?'})` };
  return { ok: true, component: match, name: `'${match.name}'` };
}

/** `message.text`, or `message.id` looked up in the rule's, then the tool's message strings, with `{0}` placeholders filled. */
function resolveMessage(
  result: SarifResult,
  rule: SarifRule | undefined,
  component: SarifToolComponent,
): { ok: true; text: string } | { ok: false; reason: string } {
  const { message } = result;
  const args = message.arguments ?? [];
  if (message.text !== undefined) return { ok: true, text: fillPlaceholders(message.text, args) };
  const id = message.id ?? '';
  const template = rule?.messageStrings?.[id]?.text ?? component.globalMessageStrings?.[id]?.text;
  if (template === undefined) {
    return { ok: false, reason: `message id '${id}' is not in the rule's messageStrings nor the tool's globalMessageStrings` };
  }
  return { ok: true, text: fillPlaceholders(template, args) };
}

/** SARIF §3.11.5: `{n}` is the n-th argument; `{{` and `}}` are literal braces. */
function fillPlaceholders(template: string, args: readonly string[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, n: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    return args[Number(n)] ?? match;
  });
}

function resolveArtifact(
  location: SarifArtifactLocation | undefined,
  run: SarifRun,
): { ok: true; location: { uri: string; uriBaseId?: string } } | { ok: false; reason: string } {
  if (!location) return { ok: false, reason: 'no artifactLocation: the result names no file' };
  if (location.uri !== undefined) return { ok: true, location: { uri: location.uri, uriBaseId: location.uriBaseId } };
  if (location.index === undefined || location.index < 0) return { ok: false, reason: 'artifactLocation has neither uri nor index' };
  const artifact = run.artifacts?.[location.index]?.location;
  if (!artifact) return { ok: false, reason: `artifactLocation.index ${location.index} is out of range: the run has ${run.artifacts?.length ?? 0} artifact(s)` };
  if (artifact.uri === undefined) return { ok: false, reason: `artifacts[${location.index}] has no uri` };
  return { ok: true, location: { uri: artifact.uri, uriBaseId: artifact.uriBaseId ?? location.uriBaseId } };
}

/**
 * Resolves every `originalUriBaseIds` symbol to a base (absolute URI or
 * relative directory), following chains of `uriBaseId`s. A symbol with no
 * `uri` (or a cycle) resolves to '' — the repository root.
 */
export function resolveUriBaseIds(run: SarifRun): Record<string, string> {
  const declared = run.originalUriBaseIds ?? {};
  const resolved: Record<string, string> = {};
  const resolve = (id: string, seen: ReadonlySet<string>): string => {
    const entry = declared[id];
    if (!entry || seen.has(id)) return '';
    const uri = entry.uri ?? '';
    if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(uri) || uri.startsWith('/') || entry.uriBaseId === undefined) return uri;
    const parent = resolve(entry.uriBaseId, new Set([...seen, id]));
    if (parent === '') return uri;
    return `${parent.replace(/\/?$/, '/')}${uri}`;
  };
  for (const id of Object.keys(declared)) resolved[id] = resolve(id, new Set());
  return resolved;
}

/** helpUri only when it is a web address: ESLint's formatter writes "Please see details in message" there. */
function httpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : undefined;
  } catch {
    return undefined;
  }
}
