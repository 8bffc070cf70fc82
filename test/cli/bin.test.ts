import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../src/version.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the installed command', () => {
  // The README's first command is `npm install && npx shipshape demo`: the built bin must run through npx.
  it('`npx shipshape --version` runs the build that npm install made', () => {
    const out = execFileSync('npm', ['exec', '--offline', '--', 'shipshape', '--version'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim()).toBe(TOOL_VERSION);
  });
});
