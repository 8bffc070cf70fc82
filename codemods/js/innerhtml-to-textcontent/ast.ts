/**
 * A narrow, typed view of the Babel nodes jscodeshift hands us: the codemod
 * reads positions and a few fields, and never reprints a node.
 */
export interface AstNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number } };
  extra?: { parenthesized?: boolean; parenStart?: number; raw?: string };
  [key: string]: unknown;
}

export function isNode(value: unknown): value is AstNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { start?: unknown }).start === 'number' &&
    typeof (value as { end?: unknown }).end === 'number'
  );
}

export function child(node: AstNode, key: string): AstNode | undefined {
  const value = node[key];
  return isNode(value) ? value : undefined;
}

export function children(node: AstNode, key: string): AstNode[] {
  const value = node[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

export function stringField(node: AstNode, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

/** The string a string literal holds (Babel `StringLiteral`, or ESTree `Literal`). */
export function stringValue(node: AstNode): string | undefined {
  if (node.type !== 'StringLiteral' && node.type !== 'Literal') return undefined;
  return stringField(node, 'value');
}

/** The constant text of a template part; falls back to the raw text when it has no cooked value. */
export function quasiText(quasi: AstNode): string {
  const value = quasi.value as { cooked?: string | null; raw?: string } | undefined;
  return value?.cooked ?? value?.raw ?? '';
}

/** `a.b` → `b`; `a['b']` → `b`; otherwise undefined. */
export function memberName(node: AstNode): string | undefined {
  if (node.type !== 'MemberExpression' && node.type !== 'OptionalMemberExpression') return undefined;
  const property = child(node, 'property');
  if (!property) return undefined;
  if (node.computed === true) return stringValue(property);
  return property.type === 'Identifier' ? stringField(property, 'name') : undefined;
}

const TS_WRAPPERS = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'TypeCastExpression']);

/** The expression under TypeScript/Flow type assertions, which change nothing at run time. */
export function unwrapTypes(node: AstNode): AstNode {
  let current = node;
  while (TS_WRAPPERS.has(current.type)) {
    const inner = child(current, 'expression');
    if (!inner) break;
    current = inner;
  }
  return current;
}

const SKIPPED_KEYS = new Set(['loc', 'extra', 'comments', 'leadingComments', 'trailingComments', 'innerComments', 'tokens', 'typeAnnotation', 'typeParameters', 'returnType']);

/**
 * Every node under `node` (itself included), depth first, children in field
 * order; `descend` may stop the walk below a node it yields. An explicit
 * stack, not nested generators: a `yield*` chain costs every node a step
 * through each generator above it, which deep files paid for many times over.
 */
export function* walk(node: AstNode, descend: (node: AstNode) => boolean = () => true): Generator<AstNode> {
  const stack: AstNode[] = [node];
  const below: AstNode[] = [];
  while (stack.length > 0) {
    const current = stack.pop()!;
    yield current;
    if (!descend(current)) continue;
    for (const key of Object.keys(current)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const value = current[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) below.push(item);
      } else if (isNode(value)) {
        below.push(value);
      }
    }
    // Pushed in reverse, so that the first child comes off the stack first.
    while (below.length > 0) stack.push(below.pop()!);
  }
}
