import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createGitHubForge, type RetryOptions, type TokenProvider } from './github/index.js';
import { createLocalForge } from './local/forge.js';
import { ForgeError, type Forge } from './types.js';

/** The forges shipshape can publish to, by name. */
export const FORGE_NAMES = ['local', 'github'] as const;
export type ForgeName = (typeof FORGE_NAMES)[number];

/** Everything needed to reach one repository on one forge; plain data plus a token provider. */
export type ForgeTarget =
  | { forge: 'local'; /** The local repository's top directory. */ dir: string }
  | {
      forge: 'github';
      /** `owner/name`. */
      repository: string;
      /** Asked before each API call and git command (the CLI's returns GITHUB_TOKEN; the App's an installation token). */
      token: TokenProvider;
      apiUrl?: string;
      serverUrl?: string;
      retry?: Partial<RetryOptions>;
    };

/**
 * The forge for a target: the one place that maps a forge name to its adapter.
 * Callers check their own input first (the CLI words its errors for its options).
 */
export function createForge(target: ForgeTarget): Forge {
  switch (target.forge) {
    case 'local':
      if (!existsSync(join(target.dir, '.git'))) {
        throw new ForgeError(`${target.dir} is not the top of a git repository (the local forge pushes branches into it)`, 'invalid');
      }
      return createLocalForge(target.dir);
    case 'github':
      return createGitHubForge({ repository: target.repository, token: target.token, apiUrl: target.apiUrl, serverUrl: target.serverUrl, retry: target.retry });
  }
}
