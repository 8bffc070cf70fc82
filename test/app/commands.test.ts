import { describe, expect, it } from 'vitest';
import { newlyTicked, parseCommand } from '../../src/app/commands.js';

describe('/shipshape commands in comments', () => {
  it.each([
    ['/shipshape plan', { name: 'plan' }],
    ['/shipshape apply', { name: 'apply', items: [] }],
    ['Please:\n/shipshape apply 1.2 2.3 1.2', { name: 'apply', items: ['1.2', '2.3'] }],
    ['/shipshape rollback 1.2', { name: 'rollback', key: '1.2' }],
    ['/shipshape', { name: 'help' }],
    ['/shipshape help', { name: 'help' }],
    ['/SHIPSHAPE PLAN', { name: 'plan' }],
    ['/shipshape deploy', { name: 'unknown', text: '/shipshape deploy' }],
    ['/shipshape rollback', { name: 'unknown', text: '/shipshape rollback' }],
    ['/shipshape apply ../../etc', { name: 'unknown', text: '/shipshape apply ../../etc' }],
  ])('%j', (body, command) => {
    expect(parseCommand(body)).toEqual(command);
  });

  it.each(['', 'looks good', '> /shipshape apply', 'see /shipshape apply', '/shipshapeapply'])('%j holds no command', (body) => {
    expect(parseCommand(body)).toBeNull();
  });

  it('finds the dashboard items ticked by an edit, and only those', () => {
    const before = '- [ ] **1.1** A\n- [x] **1.2** B\n- [ ] **2.3** C';
    const after = '- [x] **1.1** A\n- [x] **1.2** B\n- [X] **2.3** C';
    expect(newlyTicked(before, after)).toEqual(['1.1', '2.3']);
    expect(newlyTicked(after, before)).toEqual([]);
  });
});
