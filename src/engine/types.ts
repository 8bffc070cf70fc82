import type { Node as PyNode, Tree as PyTree } from 'web-tree-sitter';
import type { Collection } from 'jscodeshift';
import type { JSCodeshift } from 'jscodeshift';
import type { PathRole, Project, Requirement, RoleInfo } from '../project/index.js';

export type Language = 'python' | 'javascript';
export type Safety = 'safe' | 'review' | 'unsafe';

/**
 * A rule of an analysis tool that a codemod fixes, e.g. `{ tool: 'codeql', ruleId: 'js/xss' }`.
 * `*` in a rule id stands for any run of letters, digits and dashes; a Semgrep
 * id also matches on its last dotted part (`…security.insecure-innerhtml`).
 * A finding of the rule only proposes the codemod: its detector must still
 * confirm the finding at its lines.
 */
export interface RuleRef {
  tool: 'codeql' | 'semgrep' | 'eslint' | 'bandit' | 'ruff' | 'coderabbit';
  ruleId: string;
  /** What of the rule's findings the codemod does not rewrite, said in the rules table and in reasons. */
  note?: string;
  /**
   * What the codemod does rewrite of this rule's findings, for the reason of
   * one it finds nothing to change at ("moves only literals given to
   * secret-like names …"): a finding is told what shape was expected.
   */
  unmatched?: string;
}

/**
 * Words in a sprint plan's task or a review comment that ask for this
 * codemod. `needsFile`: the words count only where the text also points at
 * a file ("XSS" alone names motivations, not work).
 */
export interface KeywordRule {
  id: string;
  pattern: RegExp;
  /** What the pattern matches, in words, for the rules table: `"print()", "print statement(s)"`. */
  says: string;
  needsFile?: boolean;
}

export interface CodemodMeta {
  /** Stable id, `<language>/<name>`; equals the folder under `codemods/`. */
  id: string;
  version: string;
  title: string;
  language: Language;
  /** File extensions (with the dot) this codemod reads. */
  extensions: readonly string[];
  /** One sentence: what it fixes. */
  summary: string;
  /** What changed, in a few words, for pull request titles ("print() replaced with logging"). */
  phrase: string;
  fixes: readonly RuleRef[];
  /** Plan and review wording that asks for this codemod, checked in registry order (security first). */
  keywords: readonly KeywordRule[];
  /** The riskiest edit it may emit; the engine rejects a riskier one. */
  safety: Safety;
  security: boolean;
  /** The path roles it edits (by default application code and scripts); other files are left alone with the reason. */
  roles: readonly PathRole[];
  /** Dependency versions the project must have; where not met the codemod declines, once, saying why. */
  requires: readonly Requirement[];
  rollback: string;
  prerequisites: readonly string[];
  references: readonly string[];
}

/**
 * A text replacement in the codemod's input: `start`/`end` are JS string
 * (UTF-16) indices into `SourceFile.text` (the file without its BOM).
 */
export interface Edit {
  start: number;
  end: number;
  text: string;
  /**
   * How sure the codemod is that this edit keeps the program's meaning:
   * `safe` keeps it; `review` changes behaviour on purpose or in a way a
   * person should look at; `unsafe` may break it. Never riskier than the
   * codemod's `meta.safety`.
   */
  safety: Safety;
  /** Why this edit exists, shown in reports (e.g. "print() -> logger.info()"). */
  description: string;
  /**
   * Edits with the same id form one change (one site: a call, a class, an
   * assignment), applied or held together and counted once. Without an id an
   * edit is a change of its own.
   */
  change?: string;
  /**
   * Marks a supporting edit (an import, a logger, a helper function): it is
   * applied when at least one of these changes is, and is never counted as a
   * fix. Its safety applies to each change it supports.
   */
  supports?: readonly string[];
  /** Applied only when every one of these changes is applied as well. */
  requires?: readonly string[];
}

/** A place the codemod saw but left alone, and why. */
export interface Note {
  line: number;
  message: string;
  /**
   * The problem at this line is still there after this codemod's changes
   * (one slot of a statement it could not fix beside others it did): a
   * finding here is not fixed, whatever else changed on the line.
   */
  remains?: boolean;
  /**
   * A remark on a change that was made (a key dropped, with why), not a
   * place left alone: shown as a note, never counted as left alone.
   */
  caveat?: boolean;
}

export interface TransformResult {
  edits: Edit[];
  notes: Note[];
  /** Deploy prerequisites these edits add beyond the codemod's own ("add pydantic-settings to the dependencies"). */
  prerequisites?: string[];
}

export interface SourceFile {
  /** Repository-relative path with forward slashes. */
  path: string;
  /** Decoded text without a leading BOM. Line endings are as in the file. */
  text: string;
  /** The line ending new lines should use ("\r\n" when the file mostly uses CRLF). */
  eol: '\n' | '\r\n';
}

/** What every codemod is given besides the file: the project it edits. */
interface ContextBase {
  file: SourceFile;
  project: Project;
  /** This file's role in the project. */
  role: RoleInfo;
  /** This codemod's options from the config file (`codemods: { <id>: {...} }`); validated by the codemod. */
  options: Readonly<Record<string, unknown>>;
}

export interface PythonContext extends ContextBase {
  tree: PyTree;
  root: PyNode;
  /**
   * Runs `use` on the tree of another module's text (for summaries of
   * imported modules). The tree may be shared with other readers of the
   * same text: read it, keep nothing of it (no nodes) past `use`, never delete it.
   */
  withTree<T>(text: string, use: (tree: PyTree) => T): T;
}

export interface JsContext extends ContextBase {
  j: JSCodeshift;
  /** Parsed lazily and shared by every JS codemod that reads this text. */
  root(): Collection;
  /** The code is TypeScript: a .ts/.tsx file, or a Vue component whose `<script>` says `lang="ts"`. */
  typescript: boolean;
  /**
   * The context of another JavaScript file of the project, parsed now (for
   * summaries of what it exports); null when it cannot be read or parsed.
   * Not cached: callers remember what they derive from it.
   */
  load(path: string): JsContext | null;
}

interface CodemodBase {
  meta: CodemodMeta;
  /** Cheap substring test; a file for which every codemod says false is never parsed. */
  prefilter(text: string): boolean;
}

export interface PythonCodemod extends CodemodBase {
  meta: CodemodMeta & { language: 'python' };
  transform(ctx: PythonContext): TransformResult;
}

export interface JsCodemod extends CodemodBase {
  meta: CodemodMeta & { language: 'javascript' };
  transform(ctx: JsContext): TransformResult;
}

export type Codemod = PythonCodemod | JsCodemod;

export type SkipReason =
  | 'syntax-error'
  | 'binary'
  | 'not-utf8'
  /** A carriage return not followed by a line feed: a line break the engine's line model does not know. */
  | 'lone-cr'
  | 'too-large'
  | 'symlink'
  | 'symlink-outside-root'
  | 'unreadable'
  | 'gate-failed'
  | 'codemod-error'
  /** `--write` only: read-only file, directory refusing new files, or owner that could not be kept. */
  | 'unwritable'
  /** `--write` only: deleted, replaced or edited on disk after it was read; what is on disk now is kept. */
  | 'changed-during-run';

export interface AppliedEdit {
  codemod: string;
  line: number;
  endLine: number;
  description: string;
  safety: Safety;
  /** A supporting edit (import, helper): part of the change it serves, never a fix on its own. */
  support?: boolean;
}

/** One change a codemod made or held: a site (a call, a class, an assignment), however many edits it took. */
export interface ChangeSite {
  codemod: string;
  line: number;
  endLine: number;
  description: string;
  safety: Safety;
}

export interface CodemodNote extends Note {
  codemod: string;
}

export type FileResult =
  | {
      status: 'changed';
      path: string;
      codemods: string[];
      edits: AppliedEdit[];
      notes: CodemodNote[];
      diff: string;
      /** Final bytes as written (BOM and line endings preserved). */
      after: string;
      before: string;
      /** The changes made, one per site (a file's supporting edits are not among them). */
      changes: ChangeSite[];
      /** Changes the policy did not apply (e.g. `review` changes in a `safe` run). */
      held: ChangeSite[];
    }
  | { status: 'unchanged'; path: string; notes: CodemodNote[]; held: ChangeSite[] }
  | { status: 'skipped'; path: string; reason: SkipReason; message: string };
