import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

interface ExampleSet {
  name: string;
  examples: ({ action?: string } & Record<string, unknown>)[];
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as ExampleSet[];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `patch` merged into `base` (objects deeply, everything else replaced). */
function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = isObject(value) && isObject(base[key]) ? merge(base[key], value) : value;
  return out;
}

/**
 * A real webhook payload from @octokit/webhooks-examples (GitHub's own
 * examples), moved to `owner/repo` and the test's installation, with `patch`
 * merged over it.
 */
export function payload(event: string, action: string | undefined, where: { owner: string; repo: string; installationId: number }, patch: Json = {}): Json {
  const set = examples.find((entry) => entry.name === event);
  const example = set?.examples.find((candidate) => candidate.action === action);
  if (!example) throw new Error(`no ${event}.${action ?? ''} example in @octokit/webhooks-examples`);
  const base = structuredClone(example) as Json;
  const moved: Json = { ...base, installation: merge(isObject(base.installation) ? base.installation : {}, { id: where.installationId }) };
  // Installation events name no single repository.
  if (isObject(base.repository)) {
    moved.repository = merge(base.repository, { name: where.repo, full_name: `${where.owner}/${where.repo}`, default_branch: 'main', owner: { login: where.owner, type: 'Organization' } });
  }
  return merge(moved, patch);
}

export interface Delivery {
  event: string;
  payload: Json;
  id?: string;
  /** Signature to send instead of the right one; null sends none. */
  signature?: string | null;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs a webhook the way GitHub does (JSON, X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256). */
export async function deliver(url: string, secret: string, delivery: Delivery): Promise<{ status: number; id: string; text: string }> {
  const body = JSON.stringify(delivery.payload);
  const id = delivery.id ?? randomUUID();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': delivery.event, 'x-github-delivery': id, 'user-agent': 'GitHub-Hookshot/test' };
  const signature = delivery.signature === undefined ? sign(secret, body) : delivery.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, id, text: await response.text() };
}
