import type { Edit, JsCodemod, PythonCodemod, Safety } from '../../src/engine/types.js';
import { descendantsOfType } from '../../codemods/python/lib/syntax.js';

const baseMeta = {
  version: '0.0.0',
  summary: 'test codemod',
  phrase: 'test change',
  fixes: [],
  safety: 'safe' as const,
  security: false,
  rollback: 'revert',
  prerequisites: [],
  references: [],
  keywords: [],
  roles: ['app', 'scripts'] as const,
  requires: [],
};

/** Renames identifiers `old_name` to `new_name`: a minimal, well-behaved Python codemod for engine tests. */
export function renamePython(options: { from?: string; to?: string; safety?: Safety; id?: string; text?: (name: string) => string } = {}): PythonCodemod {
  const from = options.from ?? 'old_name';
  const to = options.to ?? 'new_name';
  return {
    meta: { ...baseMeta, id: options.id ?? 'python/rename', title: 'rename', language: 'python', extensions: ['.py'], safety: options.safety ?? 'safe' },
    prefilter: (text) => text.includes(from),
    transform({ root }) {
      const edits: Edit[] = descendantsOfType(root, 'identifier')
        .filter((n) => n.text === from)
        .map((n) => ({ start: n.startIndex, end: n.endIndex, text: options.text ? options.text(n.text) : to, safety: options.safety ?? 'safe', description: `${from} -> ${to}` }));
      return { edits, notes: [] };
    },
  };
}

/** Replaces `var ` with `let ` in JS, reading positions from the shared jscodeshift tree. */
export function varToLet(): JsCodemod {
  return {
    meta: { ...baseMeta, id: 'js/var-to-let', title: 'var to let', language: 'javascript', extensions: ['.js', '.ts'] },
    prefilter: (text) => text.includes('var '),
    transform({ j, root }) {
      const edits: Edit[] = [];
      root()
        .find(j.VariableDeclaration, { kind: 'var' })
        .forEach((p) => {
          const start = (p.node as unknown as { start: number }).start;
          edits.push({ start, end: start + 3, text: 'let', safety: 'safe', description: 'var -> let' });
        });
      return { edits, notes: [] };
    },
  };
}
