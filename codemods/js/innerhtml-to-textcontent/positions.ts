/**
 * The file's text and the positions of nodes and tokens in it. The engine
 * parses the file's exact text (see src/engine/javascript.ts), so a node's
 * `start`/`end` already index into `ctx.file.text`; this small interface
 * keeps the codemod's reads of positions in one place.
 */
export interface Source {
  /** The file's text, as edits index into it. */
  text: string;
  /** Where a node or token starts in `text`. */
  start(node: { start: number }): number;
  /** Where a node or token ends in `text`. */
  end(node: { end: number }): number;
}

export function sourceFor(text: string): Source {
  return { text, start: (node) => node.start, end: (node) => node.end };
}
