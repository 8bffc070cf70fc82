/** A `/shipshape …` command from a comment. */
export type Command =
  | { name: 'plan' }
  | { name: 'apply'; items: string[] }
  | { name: 'rollback'; key: string }
  | { name: 'help' }
  | { name: 'unknown'; text: string };

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,23}$/;

/**
 * The command in a comment: the first line that starts with `/shipshape`
 * (quoted lines do not count, so quoting someone's command repeats nothing).
 * null when the comment holds no command.
 */
export function parseCommand(body: string): Command | null {
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^\/shipshape(\s|$)/i.test(l));
  if (line === undefined) return null;
  const [, verb = 'help', ...args] = line.split(/\s+/);
  switch (verb.toLowerCase()) {
    case 'help':
      return args.length === 0 ? { name: 'help' } : { name: 'unknown', text: line };
    case 'plan':
      return args.length === 0 ? { name: 'plan' } : { name: 'unknown', text: line };
    case 'apply':
      return args.every((a) => KEY.test(a)) ? { name: 'apply', items: [...new Set(args)] } : { name: 'unknown', text: line };
    case 'rollback':
      return args.length === 1 && KEY.test(args[0]!) ? { name: 'rollback', key: args[0]! } : { name: 'unknown', text: line };
    default:
      return { name: 'unknown', text: line };
  }
}

/** Keys of dashboard items ticked in `after` that were not ticked in `before`. */
export function newlyTicked(before: string, after: string): string[] {
  const ticked = (text: string) => new Set([...text.matchAll(/^- \[[xX]\] \*\*([^*]+)\*\*/gm)].map((m) => m[1]!));
  const was = ticked(before);
  return [...ticked(after)].filter((key) => !was.has(key) && KEY.test(key));
}
