import { createHash, createVerify, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * A fake GitHub REST API on 127.0.0.1 for the GitHub forge's tests. It keeps
 * pull requests, issues, labels and comments in memory and checks every
 * request it receives and every response it sends against the subset of
 * GitHub's published OpenAPI description in fixtures/github-openapi/, so
 * neither the forge nor the fake can drift from what GitHub documents.
 * Anything off-spec is recorded in `violations` (tests assert it stays empty).
 *
 * It serves under `/api/v3`, as GitHub Enterprise Server does, so the forge's
 * handling of an API base with a path is exercised too.
 */

type Json = Record<string, unknown>;

export interface FakePr {
  number: number;
  title: string;
  body: string | null;
  /** Head branch name. */
  head: string;
  /** `owner/name` of the repository holding the head branch (a fork for outside contributions). */
  headRepo: string;
  base: string;
  state: 'open' | 'closed';
  mergedAt: string | null;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The commit that merged it (a real one, when a test merges the branch in the git remote). */
  mergeCommitSha?: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  createdAt: string;
}

export interface FakeState {
  prs: FakePr[];
  issues: FakeIssue[];
  labels: FakeLabel[];
  comments: FakeComment[];
  /** Reactions on issue comments: `<comment id>:<content>`. */
  reactions: string[];
  /** Files served by the contents API on the default branch (`.github/shipshape.yml`). */
  files: Record<string, string>;
  /** Review comments by pull request number (the fields the test gives; the fake fills in the rest). */
  reviewComments: Record<number, FakeReviewComment[]>;
  alerts: FakeAlert[];
}

export interface FakeReviewComment {
  id: number;
  reviewId: number;
  user: string;
  path: string;
  line: number;
  body: string;
}

export interface FakeAlert {
  number: number;
  ruleId: string;
  tool: string;
  path: string;
  line: number;
  message: string;
  ref: string;
  state: 'open' | 'dismissed' | 'fixed';
}

/** An installation token the fake handed out. */
export interface IssuedToken {
  token: string;
  expiresAt: number;
  repositories: string[] | undefined;
}

export interface RecordedRequest {
  method: string;
  /** Path below the API base, e.g. `/repos/o/r/pulls`. */
  path: string;
  /** The OpenAPI operation it matched, or null. */
  operationId: string | null;
  query: Record<string, string>;
  body: unknown;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** When set, requests must carry it (`token X` or `Bearer X`), as GitHub demands; otherwise 401. A function decides per token (tokens that rotate). */
  token?: string | ((token: string) => boolean);
  /**
   * Act as GitHub for a GitHub App: installation tokens are created only for a JWT signed with the
   * App's key (RS256, `iss` = the App id, not expired), live `tokenLifetimeMs` (default an hour) and
   * are then refused, as GitHub refuses an expired token.
   */
  app?: { id: number; publicKey: string; installationId: number; tokenLifetimeMs?: number };
  /** Repository permission by login for the collaborator-permission endpoint (default `read`). */
  permissions?: Record<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'>;
}

/** A failure's body, or a function of the request that builds it (e.g. to echo a header back). */
type FailureBody = ((request: { headers: IncomingMessage['headers'] }) => unknown) | Json | unknown[] | string;

export interface FakeGitHub {
  /** API base to hand to the forge (`http://127.0.0.1:PORT/api/v3`). */
  apiUrl: string;
  /** Web base (`http://127.0.0.1:PORT`), used in `html_url`s. */
  serverUrl: string;
  state: FakeState;
  requests: RecordedRequest[];
  violations: string[];
  /** The next request matching method and path (concrete path, OpenAPI template or RegExp) gets this response instead. Queued: call N times for N failures. */
  failNext(method: string, pathPattern: string | RegExp, status: number, headers?: Record<string, string>, body?: FailureBody): void;
  /** Puts a pull request straight into the state (setup for listings, forks, merged PRs). */
  seedPr(pr: Partial<FakePr> & { head: string }): FakePr;
  seedIssue(issue: Partial<FakeIssue> & { title: string }): FakeIssue;
  /** Installation tokens handed out so far (App mode). */
  tokens: IssuedToken[];
  /** Makes every token handed out so far expire now. */
  expireTokens(): void;
  /** Whether the git server should accept this token (the fixed one, or an unexpired installation token). */
  accepts(token: string): boolean;
  close(): Promise<void>;
}

const SPEC_FILE = join(import.meta.dirname, '..', '..', 'fixtures', 'github-openapi', 'api.github.com.subset.json');
const SPEC_ID = 'https://shipshape.invalid/github-openapi/api.github.com.subset.json';
const API_PREFIX = '/api/v3';
const DOCS = 'https://docs.github.com/rest';

// ---------------------------------------------------------------------------
// OpenAPI 3.0 → JSON Schema (draft-07, which ajv speaks)

/** Keywords OpenAPI adds that only document; JSON Schema validators reject them in strict mode. */
const DOC_ONLY = new Set(['example', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'xml', 'externalDocs', 'discriminator']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAPI 3.0 spells "or null" as `nullable: true`; JSON Schema as a type union. */
function toJsonSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const nullable = schema.nullable === true;
  if (typeof schema.$ref === 'string') {
    // OpenAPI ignores siblings of $ref; so do we.
    const ref = { $ref: schema.$ref };
    return nullable ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || DOC_ONLY.has(key) || key.startsWith('x-')) continue;
    if ((key === 'properties' || key === 'patternProperties') && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, toJsonSchema(child)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = toJsonSchema(value);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema);
    } else {
      out[key] = value;
    }
  }
  if (!nullable) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/** Converts the Schema Objects that sit under `schema` keys (parameters, bodies, responses); components.schemas is converted by the caller. */
function convertDocument(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertDocument);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === 'schema' ? toJsonSchema(value) : convertDocument(value);
  return out;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  /** JSON pointer segments of its schema in the document. */
  schemaAt: string[];
  type: string | undefined;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  pathNames: string[];
  parameters: Parameter[];
  /** Pointer to the JSON request body schema; null when the operation takes none. */
  requestBodyAt: string[] | null;
  requestBodyRequired: boolean;
  /** status → pointer to the JSON response schema (null: documented without a body). */
  responses: Map<string, string[] | null>;
}

interface Spec {
  operations: Operation[];
  validator(pointer: string[]): ValidateFunction;
}

let loaded: Spec | null = null;

function pointerOf(segments: string[]): string {
  return segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

function at(document: unknown, segments: string[]): unknown {
  let node = document;
  for (const segment of segments) node = isObject(node) || Array.isArray(node) ? (node as Json)[segment] : undefined;
  return node;
}

/** Follows an OpenAPI `$ref` (to components/parameters, responses, requestBodies) and says where it landed. */
function deref(document: unknown, segments: string[]): { node: Json; segments: string[] } {
  const node = at(document, segments);
  if (!isObject(node)) throw new Error(`OpenAPI subset: nothing at /${segments.join('/')}`);
  if (typeof node.$ref !== 'string') return { node, segments };
  const target = node.$ref.replace(/^#\//, '').split('/');
  return deref(document, target);
}

function loadSpec(): Spec {
  if (loaded) return loaded;
  const raw = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Json;
  const document = convertDocument(raw) as Json;
  const components = document.components as Json;
  components.schemas = Object.fromEntries(Object.entries((raw.components as Json).schemas as Json).map(([name, schema]) => [name, toJsonSchema(schema)]));
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true, validateFormats: true });
  // The OpenAPI envelope is not JSON Schema: declare its top-level keys so strict mode lets ajv resolve refs through it.
  ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'components']);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('uri', { type: 'string', validate: (value: string) => URL.canParse(value) });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isSafeInteger(value) });
  ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/);
  ajv.addSchema({ ...document, $id: SPEC_ID });

  const operations: Operation[] = [];
  const paths = document.paths as Json;
  for (const [template, methods] of Object.entries(paths)) {
    if (!isObject(methods)) continue;
    for (const [method, value] of Object.entries(methods)) {
      if (!isObject(value) || typeof value.operationId !== 'string') continue;
      const base = ['paths', template, method];
      const parameters = (Array.isArray(value.parameters) ? value.parameters : []).map((_, index) => {
        const { node, segments } = deref(document, [...base, 'parameters', String(index)]);
        const schema = node.schema as Json;
        return {
          name: String(node.name),
          in: node.in as Parameter['in'],
          required: node.required === true,
          schemaAt: [...segments, 'schema'],
          type: typeof schema.type === 'string' ? schema.type : undefined,
        };
      });
      let requestBodyAt: string[] | null = null;
      let requestBodyRequired = false;
      if (value.requestBody !== undefined) {
        const { node, segments } = deref(document, [...base, 'requestBody']);
        requestBodyRequired = node.required === true;
        requestBodyAt = [...segments, 'content', 'application/json', 'schema'];
      }
      const responses = new Map<string, string[] | null>();
      for (const status of Object.keys(value.responses as Json)) {
        const { node, segments } = deref(document, [...base, 'responses', status]);
        const json = isObject(node.content) ? node.content['application/json'] : undefined;
        responses.set(status, isObject(json) ? [...segments, 'content', 'application/json', 'schema'] : null);
      }
      const pathNames: string[] = [];
      const pattern = new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
          pathNames.push(name);
          return '([^/]+)';
        })}$`,
      );
      operations.push({ operationId: value.operationId, method: method.toUpperCase(), template, pattern, pathNames, parameters, requestBodyAt, requestBodyRequired, responses });
    }
  }

  const cache = new Map<string, ValidateFunction>();
  function validator(segments: string[]): ValidateFunction {
    const key = pointerOf(segments);
    const existing = cache.get(key);
    if (existing) return existing;
    const compiled = ajv.compile({ $ref: `${SPEC_ID}#/${key}` });
    cache.set(key, compiled);
    return compiled;
  }
  loaded = { operations, validator };
  return loaded;
}

function schemaErrors(validate: ValidateFunction, value: unknown): string {
  if (validate(value)) return '';
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''}`)
    .join('; ');
}

/** Query and path values arrive as text; the schema says what they are. */
function coerce(value: string, type: string | undefined): unknown {
  if (type === 'integer' || type === 'number') return value.trim() === '' ? value : Number(value);
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (type === 'array') return value.split(',');
  return value;
}

// ---------------------------------------------------------------------------
// The server

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  path: string;
}

interface Failure {
  method: string;
  pattern: string | RegExp;
  status: number;
  headers: Record<string, string>;
  body: FailureBody | undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`0:${kind}${id}`).toString('base64').replace(/=+$/, '');
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const spec = loadSpec();
  const { owner, repo, defaultBranch } = options;
  const fullName = `${owner}/${repo}`;
  const state: FakeState = { prs: [], issues: [], labels: [], comments: [], reactions: [], files: {}, reviewComments: {}, alerts: [] };
  const tokens: IssuedToken[] = [];
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const failures: Failure[] = [];
  let nextNumber = 1;
  let nextId = 1000;
  let clock = Date.parse('2024-05-01T12:00:00Z');
  let api = '';
  let web = '';

  /** Deterministic, strictly increasing timestamps: ordering by date is then ordering by creation. */
  function tick(): string {
    clock += 1000;
    return new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  // ---- GitHub-shaped objects -------------------------------------------------

  function user(login: string, id: number, type: string): Json {
    const url = `${api}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id,
      node_id: nodeId('U', id),
      avatar_url: `${web}/avatars/u/${id}`,
      gravatar_id: '',
      url,
      html_url: `${web}/${encodeURIComponent(login)}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type,
      site_admin: false,
      user_view_type: 'public',
    };
  }

  const ownerUser = (): Json => user(owner, 1, 'Organization');
  const actor = (): Json => user('shipshape[bot]', 2, 'Bot');

  function repository(name: string, full: boolean): Json {
    const [repoOwner = owner] = name.split('/');
    const url = `${api}/repos/${name}`;
    const host = new URL(web).host;
    const templated: Record<string, string> = {
      archive_url: '/{archive_format}{/ref}',
      assignees_url: '/assignees{/user}',
      blobs_url: '/git/blobs{/sha}',
      branches_url: '/branches{/branch}',
      collaborators_url: '/collaborators{/collaborator}',
      comments_url: '/comments{/number}',
      commits_url: '/commits{/sha}',
      compare_url: '/compare/{base}...{head}',
      contents_url: '/contents/{+path}',
      contributors_url: '/contributors',
      deployments_url: '/deployments',
      downloads_url: '/downloads',
      events_url: '/events',
      forks_url: '/forks',
      git_commits_url: '/git/commits{/sha}',
      git_refs_url: '/git/refs{/sha}',
      git_tags_url: '/git/tags{/sha}',
      hooks_url: '/hooks',
      issue_comment_url: '/issues/comments{/number}',
      issue_events_url: '/issues/events{/number}',
      issues_url: '/issues{/number}',
      keys_url: '/keys{/key_id}',
      labels_url: '/labels{/name}',
      languages_url: '/languages',
      merges_url: '/merges',
      milestones_url: '/milestones{/number}',
      notifications_url: '/notifications{?since,all,participating}',
      pulls_url: '/pulls{/number}',
      releases_url: '/releases{/id}',
      stargazers_url: '/stargazers',
      statuses_url: '/statuses/{sha}',
      subscribers_url: '/subscribers',
      subscription_url: '/subscription',
      tags_url: '/tags',
      teams_url: '/teams',
      trees_url: '/git/trees{/sha}',
    };
    const openIssues = state.issues.filter((issue) => issue.state === 'open').length + state.prs.filter((pr) => pr.state === 'open').length;
    const object: Json = {
      id: name === fullName ? 100 : 100 + (parseInt(sha(name).slice(0, 6), 16) % 1000),
      node_id: nodeId('R', 100),
      name: name.split('/')[1],
      full_name: name,
      owner: repoOwner === owner ? ownerUser() : user(repoOwner, 3, 'User'),
      private: false,
      html_url: `${web}/${name}`,
      description: null,
      fork: name !== fullName,
      url,
      ...Object.fromEntries(Object.entries(templated).map(([key, suffix]) => [key, `${url}${suffix}`])),
      git_url: `git://${host}/${name}.git`,
      ssh_url: `git@${host}:${name}.git`,
      clone_url: `${web}/${name}.git`,
      svn_url: `${web}/${name}`,
      mirror_url: null,
      homepage: null,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: defaultBranch,
      open_issues: openIssues,
      open_issues_count: openIssues,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: 'public',
      license: null,
      pushed_at: '2024-05-01T12:00:00Z',
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-05-01T12:00:00Z',
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      allow_forking: true,
      web_commit_signoff_required: false,
    };
    if (full) {
      object.network_count = 0;
      object.subscribers_count = 0;
      object.allow_merge_commit = true;
      object.allow_squash_merge = true;
      object.allow_rebase_merge = true;
      object.allow_auto_merge = false;
      object.delete_branch_on_merge = false;
    }
    return object;
  }

  function label(name: string): Json {
    const found = state.labels.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    const stored = found ?? { id: 0, name, color: 'ededed', description: null };
    return {
      id: stored.id,
      node_id: nodeId('L', stored.id),
      url: `${api}/repos/${fullName}/labels/${encodeURIComponent(stored.name)}`,
      name: stored.name,
      description: stored.description,
      color: stored.color,
      default: false,
    };
  }

  function pull(pr: FakePr, full: boolean): Json {
    const url = `${api}/repos/${fullName}/pulls/${pr.number}`;
    const html = `${web}/${fullName}/pull/${pr.number}`;
    const issueUrl = `${api}/repos/${fullName}/issues/${pr.number}`;
    const [headOwner = owner] = pr.headRepo.split('/');
    const headSha = sha(`${pr.headRepo}:${pr.head}`);
    const link = (href: string): Json => ({ href });
    const object: Json = {
      url,
      id: 5000 + pr.number,
      node_id: nodeId('PR', pr.number),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueUrl,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${api}/repos/${fullName}/pulls/comments{/number}`,
      comments_url: `${issueUrl}/comments`,
      statuses_url: `${api}/repos/${fullName}/statuses/${headSha}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: actor(),
      body: pr.body,
      // The pull request schemas type a label's description as a plain string, unlike the label schema.
      labels: pr.labels.map((name) => ({ ...label(name), description: label(name).description ?? '' })),
      milestone: null,
      active_lock_reason: null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergedAt ? (pr.mergeCommitSha ?? sha(`merge:${pr.number}`)) : null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: { label: `${headOwner}:${pr.head}`, ref: pr.head, sha: headSha, user: headOwner === owner ? ownerUser() : user(headOwner, 3, 'User'), repo: repository(pr.headRepo, false) },
      base: { label: `${owner}:${pr.base}`, ref: pr.base, sha: sha(`${fullName}:${pr.base}`), user: ownerUser(), repo: repository(fullName, false) },
      _links: {
        self: link(url),
        html: link(html),
        issue: link(issueUrl),
        comments: link(`${issueUrl}/comments`),
        review_comments: link(`${url}/comments`),
        review_comment: link(`${api}/repos/${fullName}/pulls/comments{/number}`),
        commits: link(`${url}/commits`),
        statuses: link(`${api}/repos/${fullName}/statuses/${headSha}`),
      },
      author_association: 'NONE',
      auto_merge: null,
      draft: false,
    };
    if (full) {
      Object.assign(object, {
        merged: pr.mergedAt !== null,
        mergeable: pr.state === 'open' ? true : null,
        rebaseable: pr.state === 'open' ? true : null,
        mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
        merged_by: pr.mergedAt ? ownerUser() : null,
        comments: state.comments.filter((comment) => comment.issueNumber === pr.number).length,
        review_comments: 0,
        maintainer_can_modify: false,
        commits: 1,
        additions: 1,
        deletions: 1,
        changed_files: 1,
      });
    }
    return object;
  }

  function issue(item: FakeIssue | FakePr): Json {
    const url = `${api}/repos/${fullName}/issues/${item.number}`;
    const isPr = 'head' in item;
    const object: Json = {
      id: 7000 + item.number,
      node_id: nodeId('I', item.number),
      url,
      repository_url: `${api}/repos/${fullName}`,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${web}/${fullName}/${isPr ? 'pull' : 'issues'}/${item.number}`,
      number: item.number,
      state: item.state,
      state_reason: item.state === 'closed' ? 'completed' : null,
      title: item.title,
      body: item.body,
      user: actor(),
      labels: item.labels.map(label),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: state.comments.filter((comment) => comment.issueNumber === item.number).length,
      closed_at: item.closedAt,
      created_at: item.createdAt,
      updated_at: item.updatedAt,
      author_association: 'NONE',
    };
    if (isPr) {
      object.pull_request = {
        url: `${api}/repos/${fullName}/pulls/${item.number}`,
        html_url: `${web}/${fullName}/pull/${item.number}`,
        diff_url: `${web}/${fullName}/pull/${item.number}.diff`,
        patch_url: `${web}/${fullName}/pull/${item.number}.patch`,
        merged_at: item.mergedAt,
      };
    }
    return object;
  }

  function comment(stored: FakeComment): Json {
    return {
      id: stored.id,
      node_id: nodeId('IC', stored.id),
      url: `${api}/repos/${fullName}/issues/comments/${stored.id}`,
      html_url: `${web}/${fullName}/issues/${stored.issueNumber}#issuecomment-${stored.id}`,
      issue_url: `${api}/repos/${fullName}/issues/${stored.issueNumber}`,
      body: stored.body,
      user: actor(),
      created_at: stored.createdAt,
      updated_at: stored.createdAt,
      author_association: 'NONE',
    };
  }

  // ---- helpers for handlers --------------------------------------------------

  function notFound(): Reply {
    return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
  }

  function validationFailed(resource: string, message: string, docs: string): Reply {
    return { status: 422, body: { message: 'Validation Failed', errors: [{ resource, code: 'custom', message }], documentation_url: docs, status: '422' } };
  }

  /** GitHub's pagination: `per_page` (max 100) and `page`, with a Link header pointing at the neighbours. */
  function page<T>(items: T[], call: Call): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Number(call.query.get('per_page') ?? 30));
    const current = Number(call.query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const linkTo = (n: number): string => {
      const query = new URLSearchParams(call.query);
      query.set('page', String(n));
      return `${api}${call.path}?${query.toString()}`;
    };
    const links: string[] = [];
    if (current < last) links.push(`<${linkTo(current + 1)}>; rel="next"`, `<${linkTo(last)}>; rel="last"`);
    if (current > 1) links.push(`<${linkTo(1)}>; rel="first"`, `<${linkTo(current - 1)}>; rel="prev"`);
    return { items: items.slice((current - 1) * perPage, current * perPage), headers: links.length ? { link: links.join(', ') } : {} };
  }

  function sortByDate<T extends { createdAt: string; updatedAt: string }>(items: T[], query: URLSearchParams): T[] {
    const key = query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
    const descending = (query.get('direction') ?? 'desc') === 'desc';
    return [...items].sort((a, b) => (descending ? b[key].localeCompare(a[key]) : a[key].localeCompare(b[key])));
  }

  function ensureLabel(name: string): void {
    if (state.labels.some((candidate) => candidate.name.toLowerCase() === name.toLowerCase())) return;
    state.labels.push({ id: (nextId += 1), name, color: 'ededed', description: null });
  }

  function findItem(number: number): FakeIssue | FakePr | undefined {
    return state.prs.find((pr) => pr.number === number) ?? state.issues.find((item) => item.number === number);
  }

  // ---- the operations ------------------------------------------------------

  interface Handler {
    /** Query parameters this fake honours; others the spec allows are flagged, so a test never relies on a filter the fake ignores. */
    query: string[];
    run(call: Call): Reply;
  }

  const handlers: Record<string, Handler> = {
    'repos/get': { query: [], run: () => ({ status: 200, body: repository(fullName, true) }) },
    'pulls/list': {
      query: ['state', 'head', 'base', 'sort', 'direction', 'per_page', 'page'],
      run(call) {
        const wanted = call.query.get('state') ?? 'open';
        const head = call.query.get('head');
        const base = call.query.get('base');
        const matching = state.prs.filter((pr) => {
          if (wanted !== 'all' && pr.state !== wanted) return false;
          if (base !== null && pr.base !== base) return false;
          if (head === null) return true;
          const [headOwner, ...branch] = head.split(':');
          return pr.headRepo.split('/')[0]?.toLowerCase() === headOwner?.toLowerCase() && pr.head === branch.join(':');
        });
        const { items, headers } = page(sortByDate(matching, call.query), call);
        return { status: 200, body: items.map((pr) => pull(pr, false)), headers };
      },
    },
    'pulls/create': {
      query: [],
      run(call) {
        const input = call.body as { title?: string; head: string; base: string; body?: string };
        if (input.title === undefined) return validationFailed('PullRequest', 'title is missing', `${DOCS}/pulls/pulls#create-a-pull-request`);
        const [headOwner, headBranch] = input.head.includes(':') ? input.head.split(':') : [owner, input.head];
        const branch = headBranch ?? '';
        const duplicate = state.prs.some((pr) => pr.state === 'open' && pr.head === branch && pr.base === input.base && pr.headRepo.split('/')[0] === headOwner);
        // GitHub refuses a second open PR for the same head and base with exactly this message.
        if (duplicate) return validationFailed('PullRequest', `A pull request already exists for ${headOwner}:${branch}.`, `${DOCS}/pulls/pulls#create-a-pull-request`);
        const now = tick();
        const pr: FakePr = {
          number: nextNumber++,
          title: input.title,
          body: input.body ?? null,
          head: branch,
          headRepo: `${headOwner}/${repo}`,
          base: input.base,
          state: 'open',
          mergedAt: null,
          labels: [],
          createdAt: now,
          updatedAt: now,
          closedAt: null,
        };
        state.prs.push(pr);
        return { status: 201, body: pull(pr, true), headers: { location: `${api}/repos/${fullName}/pulls/${pr.number}` } };
      },
    },
    'pulls/update': {
      query: [],
      run(call) {
        const pr = state.prs.find((candidate) => candidate.number === Number(call.params.pull_number));
        if (!pr) return notFound();
        const input = call.body as { title?: string; body?: string; state?: 'open' | 'closed'; base?: string };
        if (pr.mergedAt && input.state === 'open') return validationFailed('PullRequest', 'state cannot be changed. The pull request has been merged.', `${DOCS}/pulls/pulls#update-a-pull-request`);
        if (input.title !== undefined) pr.title = input.title;
        if (input.body !== undefined) pr.body = input.body;
        if (input.base !== undefined) pr.base = input.base;
        if (input.state !== undefined && input.state !== pr.state) {
          pr.state = input.state;
          pr.closedAt = input.state === 'closed' ? tick() : null;
        }
        pr.updatedAt = tick();
        return { status: 200, body: pull(pr, true) };
      },
    },
    'issues/list-for-repo': {
      query: ['state', 'creator', 'labels', 'sort', 'direction', 'per_page', 'page'],
      run(call) {
        const wanted = call.query.get('state') ?? 'open';
        const labels = call.query.get('labels')?.split(',').filter(Boolean) ?? [];
        const creator = call.query.get('creator');
        // GitHub lists pull requests among issues (marked with `pull_request`); so does the fake.
        const matching = [...state.issues, ...state.prs].filter((item) => {
          if (wanted !== 'all' && item.state !== wanted) return false;
          if (creator !== null && creator !== 'shipshape[bot]') return false;
          return labels.every((name) => item.labels.some((own) => own.toLowerCase() === name.toLowerCase()));
        });
        const { items, headers } = page(sortByDate(matching, call.query), call);
        return { status: 200, body: items.map(issue), headers };
      },
    },
    'issues/create': {
      query: [],
      run(call) {
        const input = call.body as { title: string | number; body?: string | null; labels?: (string | { name?: string })[] };
        const now = tick();
        const names = (input.labels ?? []).flatMap((entry) => (typeof entry === 'string' ? [entry] : entry.name ? [entry.name] : []));
        names.forEach(ensureLabel);
        const created: FakeIssue = { number: nextNumber++, title: String(input.title), body: input.body ?? null, state: 'open', labels: names, createdAt: now, updatedAt: now, closedAt: null };
        state.issues.push(created);
        return { status: 201, body: issue(created), headers: { location: `${api}/repos/${fullName}/issues/${created.number}` } };
      },
    },
    'issues/update': {
      query: [],
      run(call) {
        const item = findItem(Number(call.params.issue_number));
        if (!item) return notFound();
        const input = call.body as { title?: string | number | null; body?: string | null; state?: 'open' | 'closed' };
        if (input.title !== undefined && input.title !== null) item.title = String(input.title);
        if (input.body !== undefined) item.body = input.body;
        if (input.state !== undefined && input.state !== item.state) {
          item.state = input.state;
          item.closedAt = input.state === 'closed' ? tick() : null;
        }
        item.updatedAt = tick();
        return { status: 200, body: issue(item) };
      },
    },
    'issues/add-labels': {
      query: [],
      run(call) {
        const item = findItem(Number(call.params.issue_number));
        if (!item) return notFound();
        const input = call.body as { labels?: (string | { name: string })[] };
        for (const entry of input.labels ?? []) {
          const name = typeof entry === 'string' ? entry : entry.name;
          ensureLabel(name);
          if (!item.labels.some((own) => own.toLowerCase() === name.toLowerCase())) item.labels.push(name);
        }
        item.updatedAt = tick();
        return { status: 200, body: item.labels.map(label) };
      },
    },
    'issues/create-comment': {
      query: [],
      run(call) {
        const item = findItem(Number(call.params.issue_number));
        if (!item) return notFound();
        const stored: FakeComment = { id: (nextId += 1), issueNumber: item.number, body: String(call.body.body), createdAt: tick() };
        state.comments.push(stored);
        return { status: 201, body: comment(stored), headers: { location: `${api}/repos/${fullName}/issues/comments/${stored.id}` } };
      },
    },
    'apps/create-installation-access-token': {
      query: [],
      run(call) {
        if (!options.app || Number(call.params.installation_id) !== options.app.installationId) return notFound();
        const token = `ghs_${randomBytes(27).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36)}`;
        const expiresAt = Date.now() + (options.app.tokenLifetimeMs ?? 3_600_000);
        const repositories = Array.isArray(call.body.repositories) ? (call.body.repositories as string[]) : undefined;
        tokens.push({ token, expiresAt, repositories });
        return { status: 201, body: { token, expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: { contents: 'write' }, repository_selection: 'selected' } };
      },
    },
    'repos/get-collaborator-permission-level': {
      query: [],
      run(call) {
        const login = call.params.username ?? '';
        const permission = options.permissions?.[login] ?? 'read';
        // GitHub folds maintain into write and triage into read in `permission`; role_name keeps the role.
        const folded = permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission;
        return { status: 200, body: { permission: folded, role_name: permission, user: { ...user(login, 40, 'User'), role_name: permission } } };
      },
    },
    'reactions/create-for-issue-comment': {
      query: [],
      run(call) {
        const content = String(call.body.content);
        state.reactions.push(`${call.params.comment_id}:${content}`);
        return { status: 201, body: { id: (nextId += 1), node_id: nodeId('RE', nextId), user: actor(), content, created_at: tick() } };
      },
    },
    'repos/get-content': {
      query: ['ref'],
      run(call) {
        const path = call.params.path ?? '';
        const text = state.files[path];
        if (text === undefined) return notFound();
        const url = `${api}/repos/${fullName}/contents/${path}`;
        const blob = sha(text);
        return {
          status: 200,
          body: {
            type: 'file',
            encoding: 'base64',
            size: Buffer.byteLength(text),
            name: path.split('/').pop(),
            path,
            content: Buffer.from(text).toString('base64'),
            sha: blob,
            url,
            git_url: `${api}/repos/${fullName}/git/blobs/${blob}`,
            html_url: `${web}/${fullName}/blob/${defaultBranch}/${path}`,
            download_url: `${web}/${fullName}/raw/${defaultBranch}/${path}`,
            _links: { self: url, git: `${api}/repos/${fullName}/git/blobs/${blob}`, html: `${web}/${fullName}/blob/${defaultBranch}/${path}` },
          },
        };
      },
    },
    'pulls/list-review-comments': {
      query: ['per_page', 'page'],
      run(call) {
        const number = Number(call.params.pull_number);
        const pr = state.prs.find((candidate) => candidate.number === number);
        if (!pr) return notFound();
        const url = `${api}/repos/${fullName}/pulls/${number}`;
        const all = (state.reviewComments[number] ?? []).map((c) => ({
          url: `${api}/repos/${fullName}/pulls/comments/${c.id}`,
          id: c.id,
          node_id: nodeId('PRRC', c.id),
          pull_request_review_id: c.reviewId,
          diff_hunk: `@@ -${c.line},1 +${c.line},1 @@`,
          path: c.path,
          commit_id: sha(`${pr.head}:head`),
          original_commit_id: sha(`${pr.head}:head`),
          user: user(c.user, 50, c.user.endsWith('[bot]') ? 'Bot' : 'User'),
          body: c.body,
          created_at: tick(),
          updated_at: tick(),
          html_url: `${web}/${fullName}/pull/${number}#discussion_r${c.id}`,
          pull_request_url: url,
          author_association: 'NONE',
          _links: { self: { href: `${api}/repos/${fullName}/pulls/comments/${c.id}` }, html: { href: `${web}/${fullName}/pull/${number}#discussion_r${c.id}` }, pull_request: { href: url } },
          line: c.line,
          original_line: c.line,
          side: 'RIGHT',
          subject_type: 'line',
        }));
        const { items, headers } = page(all, call);
        return { status: 200, body: items, headers };
      },
    },
    'code-scanning/list-alerts-for-repo': {
      query: ['ref', 'state', 'per_page', 'page'],
      run(call) {
        const ref = call.query.get('ref');
        const wanted = call.query.get('state');
        const matching = state.alerts.filter((a) => (ref === null || a.ref === ref) && (wanted === null || a.state === wanted));
        const { items, headers } = page(matching, call);
        const body = items.map((a) => ({
          number: a.number,
          created_at: tick(),
          url: `${api}/repos/${fullName}/code-scanning/alerts/${a.number}`,
          html_url: `${web}/${fullName}/security/code-scanning/${a.number}`,
          instances_url: `${api}/repos/${fullName}/code-scanning/alerts/${a.number}/instances`,
          state: a.state,
          dismissed_by: null,
          dismissed_at: null,
          dismissed_reason: null,
          rule: { id: a.ruleId, severity: 'error', description: a.message, name: a.ruleId, tags: ['security'], security_severity_level: 'high' },
          tool: { name: a.tool, guid: null, version: '2.20.0' },
          most_recent_instance: {
            ref: a.ref,
            analysis_key: '.github/workflows/codeql.yml:analyze',
            environment: '{}',
            category: '.github/workflows/codeql.yml:analyze',
            state: a.state,
            commit_sha: sha(a.ref),
            message: { text: a.message },
            location: { path: a.path, start_line: a.line, end_line: a.line, start_column: 1, end_column: 2 },
            classifications: [],
          },
        }));
        return { status: 200, body, headers };
      },
    },
  };

  // ---- request checking ----------------------------------------------------

  function match(method: string, path: string): { operation: Operation; params: Record<string, string> } | null {
    for (const operation of spec.operations) {
      if (operation.method !== method) continue;
      const found = operation.pattern.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(operation.pathNames.map((name, index) => [name, decodeURIComponent(found[index + 1] ?? '')]));
      return { operation, params };
    }
    return null;
  }

  function checkRequest(operation: Operation, params: Record<string, string>, query: URLSearchParams, rawBody: string, contentType: string | undefined): { problems: string[]; body: Json } {
    const problems: string[] = [];
    const where = `${operation.method} ${operation.template} (${operation.operationId})`;
    for (const parameter of operation.parameters) {
      const value = parameter.in === 'path' ? params[parameter.name] : parameter.in === 'query' ? query.get(parameter.name) : undefined;
      if (value === undefined || value === null) {
        if (parameter.required) problems.push(`${where}: missing required ${parameter.in} parameter ${parameter.name}`);
        continue;
      }
      const errors = schemaErrors(spec.validator(parameter.schemaAt), coerce(value, parameter.type));
      if (errors) problems.push(`${where}: ${parameter.in} parameter ${parameter.name}=${JSON.stringify(value)}: ${errors}`);
    }
    const known = new Set(operation.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name));
    const honoured = new Set(handlers[operation.operationId]?.query ?? []);
    for (const name of new Set(query.keys())) {
      if (!known.has(name)) problems.push(`${where}: query parameter ${name} is not in GitHub's description`);
      else if (!honoured.has(name)) problems.push(`${where}: query parameter ${name} is valid but the fake does not implement it`);
    }
    let body: Json = {};
    if (rawBody.trim() === '') {
      if (operation.requestBodyRequired) problems.push(`${where}: request body is required`);
      return { problems, body };
    }
    if (operation.requestBodyAt === null) {
      problems.push(`${where}: takes no request body`);
      return { problems, body };
    }
    if (!contentType?.startsWith('application/json')) problems.push(`${where}: request body sent as ${contentType ?? 'no content type'}, not application/json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      problems.push(`${where}: request body is not JSON`);
      return { problems, body };
    }
    const errors = schemaErrors(spec.validator(operation.requestBodyAt), parsed);
    if (errors) problems.push(`${where}: request body ${errors}`);
    if (isObject(parsed)) body = parsed;
    return { problems, body };
  }

  function checkResponse(operation: Operation, reply: Reply): void {
    const where = `${operation.method} ${operation.template} (${operation.operationId})`;
    const status = String(reply.status);
    if (!operation.responses.has(status)) {
      violations.push(`${where}: the fake answered ${status}, which GitHub does not document for this operation`);
      return;
    }
    const schemaAt = operation.responses.get(status);
    if (!schemaAt) return;
    const errors = schemaErrors(spec.validator(schemaAt), reply.body);
    if (errors) violations.push(`${where}: the fake's ${status} response does not match GitHub's schema: ${errors}`);
  }

  /** A token the fake would take: the fixed one, or an installation token that has not expired. */
  function accepts(token: string): boolean {
    if (tokens.some((issued) => issued.token === token && issued.expiresAt > Date.now())) return true;
    if (options.token === undefined) return options.app === undefined;
    return typeof options.token === 'string' ? token === options.token : options.token(token);
  }

  function authorized(header: string | undefined): boolean {
    if (options.token === undefined && options.app === undefined) return true;
    const match = /^(?:token|bearer) (\S+)$/i.exec(header ?? '');
    if (!match?.[1]) return false;
    return accepts(match[1]);
  }

  /** A JWT signed by the App's private key, as GitHub checks it before creating installation tokens. */
  function validJwt(header: string | undefined): boolean {
    const app = options.app;
    const match = /^bearer (\S+)$/i.exec(header ?? '');
    if (!app || !match?.[1]) return false;
    const [head = '', payload = '', signature = ''] = match[1].split('.');
    try {
      const verifier = createVerify('RSA-SHA256');
      verifier.update(`${head}.${payload}`);
      if (!verifier.verify(app.publicKey, Buffer.from(signature, 'base64url'))) return false;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: unknown; iat?: unknown };
      const now = Math.floor(Date.now() / 1000);
      return String(claims.iss) === String(app.id) && typeof claims.exp === 'number' && claims.exp > now && typeof claims.iat === 'number' && claims.iat <= now + 60;
    } catch {
      return false;
    }
  }

  function send(response: ServerResponse, reply: Reply): void {
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...reply.headers,
    });
    response.end(text);
  }

  function takeFailure(method: string, path: string, template: string | null): Failure | undefined {
    const index = failures.findIndex((failure) => {
      if (failure.method !== method) return false;
      if (failure.pattern instanceof RegExp) return failure.pattern.test(path);
      return failure.pattern === path || failure.pattern === template;
    });
    return index === -1 ? undefined : failures.splice(index, 1)[0];
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', api);
    const rawBody = await readBody(request);
    const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const found = url.pathname.startsWith(`${API_PREFIX}/`) ? match(method, path) : null;
    let recordedBody: unknown = rawBody;
    try {
      recordedBody = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      // kept as text; checkRequest reports it
    }
    requests.push({ method, path, operationId: found?.operation.operationId ?? null, query: Object.fromEntries(url.searchParams), body: recordedBody });
    if (!found) {
      violations.push(`${method} ${url.pathname}: no such operation in GitHub's description (subset)`);
      send(response, notFound());
      return;
    }
    const { operation, params } = found;
    const checked = checkRequest(operation, params, url.searchParams, rawBody, request.headers['content-type']);
    if (checked.problems.length > 0) {
      violations.push(...checked.problems);
      send(response, validationFailed('Request', checked.problems.join('; '), DOCS));
      return;
    }
    const failure = takeFailure(method, path, operation.template);
    if (failure) {
      const body = typeof failure.body === 'function' ? failure.body({ headers: request.headers }) : failure.body;
      send(response, { status: failure.status, body: body ?? { message: STATUS_CODES[failure.status] ?? 'Error', documentation_url: DOCS }, headers: failure.headers });
      return;
    }
    if (operation.template.startsWith('/app/')) {
      if (!validJwt(request.headers.authorization)) {
        send(response, { status: 401, body: { message: 'A JSON web token could not be decoded', documentation_url: DOCS, status: '401' } });
        return;
      }
      const reply = handlers[operation.operationId]!.run({ params, query: url.searchParams, body: checked.body, path: url.pathname.slice(API_PREFIX.length) });
      checkResponse(operation, reply);
      send(response, reply);
      return;
    }
    // Authentication and unknown repositories fail this way on every endpoint, documented or not.
    if (!authorized(request.headers.authorization)) {
      send(response, { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } });
      return;
    }
    if (params.owner?.toLowerCase() !== owner.toLowerCase() || params.repo?.toLowerCase() !== repo.toLowerCase()) {
      send(response, notFound());
      return;
    }
    const handler = handlers[operation.operationId];
    if (!handler) {
      violations.push(`${method} ${operation.template}: ${operation.operationId} is in the subset but the fake does not implement it`);
      send(response, { status: 501, body: { message: 'Not Implemented', documentation_url: DOCS } });
      return;
    }
    const reply = handler.run({ params, query: url.searchParams, body: checked.body, path: url.pathname.slice(API_PREFIX.length) });
    checkResponse(operation, reply);
    send(response, reply);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      violations.push(`fake GitHub crashed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) send(response, { status: 500, body: { message: 'fake crashed', documentation_url: DOCS } });
      else response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  web = `http://127.0.0.1:${port}`;
  api = `${web}${API_PREFIX}`;

  return {
    apiUrl: api,
    serverUrl: web,
    state,
    requests,
    violations,
    failNext(method, pathPattern, status, headers = {}, body) {
      failures.push({ method: method.toUpperCase(), pattern: pathPattern, status, headers, body });
    },
    seedPr(seed) {
      const now = tick();
      const pr: FakePr = {
        number: nextNumber++,
        title: `Update ${seed.head}`,
        body: null,
        headRepo: fullName,
        base: defaultBranch,
        state: 'open',
        mergedAt: null,
        labels: [],
        createdAt: now,
        updatedAt: now,
        closedAt: null,
        ...seed,
      };
      pr.labels.forEach(ensureLabel);
      state.prs.push(pr);
      return pr;
    },
    seedIssue(seed) {
      const now = tick();
      const created: FakeIssue = { number: nextNumber++, body: null, state: 'open', labels: [], createdAt: now, updatedAt: now, closedAt: null, ...seed };
      created.labels.forEach(ensureLabel);
      state.issues.push(created);
      return created;
    },
    tokens,
    expireTokens() {
      for (const issued of tokens) issued.expiresAt = Math.min(issued.expiresAt, Date.now() - 1);
    },
    accepts,
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
