import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSprintPlan, type ParsedPlan, type PlanSection } from '../../src/plan/markdown/index.js';

const PLANS = join(import.meta.dirname, '..', '..', 'fixtures', 'plans');

function section(p: ParsedPlan, key: string): PlanSection {
  const found = p.sections.find((s) => s.key === key);
  if (!found) throw new Error(`no section ${key} in ${p.source}; have ${p.sections.map((s) => s.key).join(', ')}`);
  return found;
}

function taskRefs(s: PlanSection): string[] {
  return s.tasks.flatMap((t) => t.refs.map((r) => r.path));
}

describe('seed 003: numbered work items under PHASE headings (phased-plan.md)', () => {
  const p = parseSprintPlan(readFileSync(join(PLANS, 'phased-plan.md'), 'utf8'), 'phased-plan.md');

  it('reads every numbered heading that has tasks, in order', () => {
    expect(p.title).toBe('Production Readiness Implementation Plan');
    expect(p.sections.map((s) => s.key)).toEqual([
      '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '2.1', '2.2', '2.3', '3.1', '3.2', '3.3', '3.4',
    ]);
  });

  it('takes titles without the warning marker, which becomes the priority', () => {
    const first = section(p, '1.1');
    expect(first).toMatchObject({
      title: 'Remove Hardcoded Credentials',
      phase: 'PHASE 1: CRITICAL SECURITY FIXES (Week 1-2)',
      priority: 'CRITICAL',
      line: 15,
    });
    expect(section(p, '1.2').title).toBe('Implement Secure Cookie-Based Authentication');
    expect(section(p, '1.4')).toMatchObject({ title: 'Enable SSL/TLS for Database Connections' });
    expect(section(p, '1.4').priority).toBeUndefined();
    expect(section(p, '2.1').phase).toBe('PHASE 2: FEATURE COMPLETION (Week 3-4)');
    expect(section(p, '3.4').phase).toBe('PHASE 3: TESTING & QUALITY (Week 5-6)');
  });

  it('reads Files to Modify, steps and testing boxes as tasks with their file references', () => {
    const first = section(p, '1.1');
    expect(first.tasks.slice(0, 3).map((t) => t.text)).toEqual([
      '`docker-compose.yml`',
      '`.env.example`',
      'All service Dockerfiles',
    ]);
    expect(taskRefs(first)).toContain('docker-compose.yml');
    expect(first.tasks.filter((t) => t.checkbox).map((t) => t.text)).toContain('Verify no hardcoded credentials remain');
    expect(taskRefs(section(p, '1.2'))).toEqual(
      expect.arrayContaining(['frontend/src/lib/api.ts', 'services/identity/app/main.py', 'services/gateway/app/main.py']),
    );
  });

  it('warns about numbered headings with nothing under them and reads nothing outside the phases', () => {
    expect(p.warnings.map((w) => w.line)).toEqual([624, 625, 626, 627, 628, 633, 634, 635, 636]);
    expect(p.warnings[0]!.message).toContain('4.1 Implement Structured Logging');
    expect(p.sections.some((s) => s.tasks.some((t) => t.text.includes('Day 1-2')))).toBe(false);
  });
});

describe('numbered headings are only read when the plan has no Sprint openers', () => {
  it('keeps only the Sprint sections of a plan that mixes both', () => {
    const md = [
      '# Mixed',
      '',
      '## Phase 1: Security',
      '',
      '### 1.1 Lock down secrets',
      '- [ ] Move keys out of config.py',
      '',
      '**Sprint 1.1: Secrets**',
      '- [ ] Rotate keys in settings.py',
      '',
      '### 1.2 Harden sessions',
      '- [ ] Fix session_store.py:30-40',
      '',
    ].join('\n');
    const p = parseSprintPlan(md, 'mixed.md');
    expect(p.sections.map((s) => [s.key, s.title])).toEqual([['1.1', 'Secrets']]);
    expect(p.sections[0]!.tasks.map((t) => t.text)).toEqual(['Rotate keys in settings.py']);
  });

  it('does not read them outside a Phase heading', () => {
    const md = ['# Plan', '', '## Week 1: Security', '', '### 1.1 Lock down secrets', '- [ ] Fix config.py', ''].join('\n');
    const p = parseSprintPlan(md, 'week.md');
    expect(p.sections.map((s) => s.key)).toEqual(['w1']);
  });
});
