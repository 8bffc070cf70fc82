/**
 * A small model of the HTML tokenizer, fed with the constant parts of an
 * innerHTML value, so the codemod knows where each interpolated value lands:
 * in text or a quoted attribute (escaping makes it inert), or somewhere
 * escaping is not enough (an unquoted attribute, inside a tag, an event
 * handler, a <script> or <style> body).
 */

export type HtmlMode =
  | 'text'
  | 'tagOpen'
  | 'endTagOpen'
  | 'tagName'
  | 'beforeAttr'
  | 'attrName'
  | 'afterAttrName'
  | 'beforeValue'
  | 'doubleQuoted'
  | 'singleQuoted'
  | 'unquoted'
  | 'markupDeclaration'
  | 'comment'
  | 'bogusComment'
  | 'rawText';

export interface HtmlState {
  readonly mode: HtmlMode;
  /** The tag being read, lower case. */
  readonly tag: string;
  readonly endTag: boolean;
  /** The attribute being read, lower case. */
  readonly attr: string;
  /** In `rawText`: the element whose end tag closes it. */
  readonly rawTag: string;
  /** Recent characters, to find `-->`, `</script` and `<!--`. */
  readonly recent: string;
}

export const TEXT_STATE: HtmlState = { mode: 'text', tag: '', endTag: false, attr: '', rawTag: '', recent: '' };

// Elements whose content the parser does not read as markup; RCDATA ones (textarea, title) still decode entities.
const RAW_TEXT = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
const RCDATA = new Set(['textarea', 'title']);

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f';
}

function isLetter(ch: string): boolean {
  return /^[A-Za-z]$/.test(ch);
}

function closeTag(s: HtmlState): HtmlState {
  if (!s.endTag && (RAW_TEXT.has(s.tag) || RCDATA.has(s.tag))) {
    return { ...TEXT_STATE, mode: 'rawText', rawTag: s.tag };
  }
  return TEXT_STATE;
}

function step(s: HtmlState, ch: string): HtmlState {
  switch (s.mode) {
    case 'text':
      return ch === '<' ? { ...s, mode: 'tagOpen' } : s;
    case 'tagOpen':
      if (isLetter(ch)) return { ...s, mode: 'tagName', tag: ch.toLowerCase(), endTag: false };
      if (ch === '/') return { ...s, mode: 'endTagOpen' };
      if (ch === '!') return { ...s, mode: 'markupDeclaration', recent: '' };
      if (ch === '?') return { ...s, mode: 'bogusComment' };
      return ch === '<' ? s : TEXT_STATE;
    case 'endTagOpen':
      if (isLetter(ch)) return { ...s, mode: 'tagName', tag: ch.toLowerCase(), endTag: true };
      return ch === '>' ? TEXT_STATE : { ...s, mode: 'bogusComment' };
    case 'tagName':
      if (isSpace(ch) || ch === '/') return { ...s, mode: 'beforeAttr' };
      if (ch === '>') return closeTag(s);
      return { ...s, tag: s.tag + ch.toLowerCase() };
    case 'beforeAttr':
      if (isSpace(ch) || ch === '/') return s;
      if (ch === '>') return closeTag(s);
      return { ...s, mode: 'attrName', attr: ch.toLowerCase() };
    case 'attrName':
      if (isSpace(ch)) return { ...s, mode: 'afterAttrName' };
      if (ch === '/') return { ...s, mode: 'beforeAttr' };
      if (ch === '=') return { ...s, mode: 'beforeValue' };
      if (ch === '>') return closeTag(s);
      return { ...s, attr: s.attr + ch.toLowerCase() };
    case 'afterAttrName':
      if (isSpace(ch)) return s;
      if (ch === '/') return { ...s, mode: 'beforeAttr' };
      if (ch === '=') return { ...s, mode: 'beforeValue' };
      if (ch === '>') return closeTag(s);
      return { ...s, mode: 'attrName', attr: ch.toLowerCase() };
    case 'beforeValue':
      if (isSpace(ch)) return s;
      if (ch === '"') return { ...s, mode: 'doubleQuoted' };
      if (ch === "'") return { ...s, mode: 'singleQuoted' };
      if (ch === '>') return closeTag(s);
      return { ...s, mode: 'unquoted' };
    case 'doubleQuoted':
      return ch === '"' ? { ...s, mode: 'beforeAttr' } : s;
    case 'singleQuoted':
      return ch === "'" ? { ...s, mode: 'beforeAttr' } : s;
    case 'unquoted':
      if (isSpace(ch)) return { ...s, mode: 'beforeAttr' };
      return ch === '>' ? closeTag(s) : s;
    case 'markupDeclaration': {
      const recent = s.recent + ch;
      if (recent === '--') return { ...s, mode: 'comment', recent: '' };
      if ('--'.startsWith(recent)) return { ...s, recent };
      return ch === '>' ? TEXT_STATE : { ...s, mode: 'bogusComment', recent: '' };
    }
    case 'comment': {
      const recent = (s.recent + ch).slice(-3);
      return recent === '-->' ? TEXT_STATE : { ...s, recent };
    }
    case 'bogusComment':
      return ch === '>' ? TEXT_STATE : s;
    case 'rawText': {
      const recent = (s.recent + ch.toLowerCase()).slice(-(s.rawTag.length + 2));
      if (recent === `</${s.rawTag}`) return { ...TEXT_STATE, mode: 'tagName', tag: s.rawTag, endTag: true };
      return { ...s, recent };
    }
  }
}

/** The tokenizer state after reading `chunk` from state `s`. */
export function feed(s: HtmlState, chunk: string): HtmlState {
  let state = s;
  for (const ch of chunk) state = step(state, ch);
  return state;
}

export function sameState(a: HtmlState, b: HtmlState): boolean {
  return a.mode === b.mode && a.tag === b.tag && a.endTag === b.endTag && a.attr === b.attr && a.rawTag === b.rawTag && a.recent === b.recent;
}

/**
 * Null when an escaped value is inert at this point of the markup, otherwise
 * a phrase saying where the value lands and why escaping is not enough.
 */
export function escapingFallsShort(s: HtmlState): string | null {
  switch (s.mode) {
    case 'text':
    case 'comment':
      return null;
    case 'rawText':
      return s.rawTag === 'textarea' || s.rawTag === 'title' ? null : `inside <${s.rawTag}>, where escaping would change the text`;
    case 'doubleQuoted':
    case 'singleQuoted':
      if (s.attr.startsWith('on')) return `into the \`${s.attr}\` event-handler attribute, where escaping is not enough`;
      if (s.attr === 'srcdoc') return 'into a `srcdoc` attribute, whose value is parsed as HTML again';
      return null;
    case 'unquoted':
    case 'beforeValue':
      return 'into an unquoted attribute value, where escaping is not enough';
    default:
      return 'inside a tag, where escaping is not enough';
  }
}
