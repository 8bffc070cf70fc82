import { clip, oneLine } from './markdown.js';
import type { PrInput, PrPart } from './types.js';

/** GitHub refuses longer pull request titles. */
export const TITLE_MAX = 256;

/** "1.2" or "1.2 (part 1/2)". */
export function itemLabel(key: string, part?: PrPart): string {
  const k = oneLine(key);
  return part ? `${k} (part ${part.index}/${part.total})` : k;
}

/** The codemods' short phrases, in order, each once. */
function whatChanged(input: PrInput): string {
  const phrases: string[] = [];
  for (const codemod of input.codemods) {
    const phrase = oneLine(codemod.phrase ?? '') || oneLine(codemod.title);
    if (phrase && !phrases.includes(phrase)) phrases.push(phrase);
  }
  return phrases.join('; ');
}

/** `Sprint <key>: <title> — <what changed>`, at most 256 characters. */
export function prTitle(input: PrInput): string {
  const title = oneLine(input.item.title);
  const changed = whatChanged(input);
  let text = `Sprint ${itemLabel(input.item.key, input.part)}`;
  if (title) text += `: ${title}`;
  if (changed) text += ` — ${changed}`;
  return clip(text, TITLE_MAX);
}
