import { describe, expect, it } from 'vitest';
import { type AstNode, walk } from '../../codemods/js/innerhtml-to-textcontent/ast.js';
import { parseJs } from '../../src/engine/javascript.js';

function program(text: string): AstNode {
  return parseJs('babylon', text).get().node.program as AstNode;
}

/** The nodes in the order a plain recursive descent over the fields visits them. */
function recursive(node: AstNode, out: string[] = []): string[] {
  out.push(`${node.type}@${node.start}`);
  for (const [key, value] of Object.entries(node)) {
    if (['loc', 'extra', 'comments', 'leadingComments', 'trailingComments', 'innerComments', 'tokens', 'typeAnnotation', 'typeParameters', 'returnType'].includes(key)) continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) if (item && typeof item === 'object' && typeof item.type === 'string' && typeof item.start === 'number') recursive(item as AstNode, out);
  }
  return out;
}

describe('walk over the Babel tree', () => {
  it('visits every node once, parents first, children in field order', () => {
    const root = program('const a = f(x, [1, 2]); // c\nel.innerHTML = `<b>${a}</b>` + g(() => { return y; });\n');
    const order = [...walk(root)].map((n) => `${n.type}@${n.start}`);
    expect(order).toEqual(recursive(root));
    expect(order.filter((t) => t.startsWith('Identifier')).length).toBe(8);
  });

  it('does not go below a node `descend` refuses, and goes on with its siblings', () => {
    const root = program('function f() { inner(); }\nouter();\n');
    const seen = [...walk(root, (n) => n.type !== 'FunctionDeclaration')].map((n) => n.type);
    expect(seen).toContain('FunctionDeclaration');
    expect(seen).not.toContain('BlockStatement');
    expect(seen.filter((t) => t === 'CallExpression')).toHaveLength(1);
  });

  it('walks a deep expression (3,000 nested operators) to its last leaf', () => {
    const depth = 3_000;
    const root = program(`x = ${'a + '.repeat(depth)}a;\n`);
    let identifiers = 0;
    for (const n of walk(root)) if (n.type === 'Identifier') identifiers++;
    expect(identifiers).toBe(depth + 2);
  });
});
