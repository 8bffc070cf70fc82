/**
 * A small model of the HTML tokenizer, fed with the constant parts of an
 * innerHTML value, so the codemod knows where each interpolated value lands:
 * in text or a quoted attribute (escaping makes it inert), or somewhere
 * escaping is not enough (an unquoted attribute, inside a tag, an event
 * handler, a URL whose scheme the value could choose, a <script> or <style>
 * body, a comment).
 *
 * Where the real parse depends on things the codemod cannot see (the element
 * innerHTML is set on may be SVG, where `<![CDATA[` and `<title>` read
 * differently), the model stops in `opaque`: every value after that point is
 * left alone.
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
  | 'commentStart'
  | 'commentStartDash'
  | 'comment'
  | 'commentEndDash'
  | 'commentEnd'
  | 'commentEndBang'
  | 'bogusComment'
  | 'rawText'
  | 'rawTextEnd'
  | 'opaque';

/**
 * How far the URL in the attribute value being read is decided:
 * `none` — not a URL attribute; `pending` — no scheme or path yet, so data
 * could still choose `javascript:`; `unknown` — a character reference or a
 * value stands where the scheme is decided; `relative` — a path, query or
 * fragment came first; `scheme` — the markup wrote the scheme.
 */
export type UrlState = 'none' | 'pending' | 'unknown' | 'relative' | 'scheme';

export interface HtmlState {
  readonly mode: HtmlMode;
  /** The tag being read, lower case. */
  readonly tag: string;
  readonly endTag: boolean;
  /** The attribute being read, lower case. */
  readonly attr: string;
  /** In `rawText`: the element whose end tag closes it. */
  readonly rawTag: string;
  /** Characters read so far of a `<!--` opener, a raw-text end tag, or an undecided URL scheme. */
  readonly recent: string;
  readonly url: UrlState;
  /** With `url: 'scheme'`: the scheme, lower case. */
  readonly scheme: string;
  /** In `opaque`: why the parse cannot be known. */
  readonly why: string;
}

export const TEXT_STATE: HtmlState = {
  mode: 'text',
  tag: '',
  endTag: false,
  attr: '',
  rawTag: '',
  recent: '',
  url: 'none',
  scheme: '',
  why: '',
};

// Elements whose content the HTML parser does not read as markup; RCDATA ones (textarea, title) still decode entities.
const RAW_TEXT = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
const RCDATA = new Set(['textarea', 'title']);

// Attributes whose value is a URL the browser may navigate to or load as a document, where `javascript:` runs.
// Every element counts: the codemod does not judge which elements would run the URL.
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'data', 'codebase', 'background', 'lowsrc', 'dynsrc']);
const SCRIPT_SCHEMES = new Set(['javascript', 'vbscript']);
// SVG <animate>/<set> attributes that can set another attribute, such as href, to a `javascript:` URL.
const SVG_ANIMATION = new Set(['values', 'to', 'from', 'by', 'attributename']);
// Attribute names script frameworks read as code: Alpine (x-, @, :), Vue (v-, @, :, #), Angular (ng-, [], (), *), htmx, Knockout.
const DIRECTIVE = /^(x-|v-|ng-|ng:|data-ng-|hx-|data-hx-|data-bind$|[@:#*[(])/;

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f';
}

function isLetter(ch: string): boolean {
  return /^[A-Za-z]$/.test(ch);
}

function opaque(why: string): HtmlState {
  return { ...TEXT_STATE, mode: 'opaque', why };
}

function closeTag(s: HtmlState): HtmlState {
  if (!s.endTag && (RAW_TEXT.has(s.tag) || RCDATA.has(s.tag))) {
    return { ...TEXT_STATE, mode: 'rawText', rawTag: s.tag };
  }
  return TEXT_STATE;
}

function isUrlAttribute(attr: string): boolean {
  return URL_ATTRIBUTES.has(attr) || attr.endsWith(':href');
}

function enterValue(s: HtmlState, mode: 'doubleQuoted' | 'singleQuoted' | 'unquoted'): HtmlState {
  return { ...s, mode, recent: '', url: isUrlAttribute(s.attr) ? 'pending' : 'none', scheme: '' };
}

function leaveValue(s: HtmlState, mode: HtmlMode): HtmlState {
  return { ...s, mode, recent: '', url: 'none', scheme: '' };
}

/**
 * One character of an attribute value that is a URL, following the URL
 * parser: leading spaces and controls are dropped, tabs and newlines are
 * dropped anywhere, a letter run ended by `:` is the scheme, and anything
 * else first makes the URL relative. A character reference (`&colon;`)
 * could decode to any of these, so it leaves the URL undecided.
 */
function urlStep(s: HtmlState, ch: string): HtmlState {
  if (s.url !== 'pending') return s;
  if (ch === '\t' || ch === '\n' || ch === '\r') return s;
  const prefix = s.recent;
  if (prefix === '' && ch.charCodeAt(0) <= 0x20) return s;
  if (ch === '&') return { ...s, url: 'unknown', recent: '' };
  if (prefix === '') return isLetter(ch) ? { ...s, recent: ch } : { ...s, url: 'relative', recent: '' };
  if (/^[A-Za-z0-9+.-]$/.test(ch)) return { ...s, recent: prefix + ch };
  if (ch === ':') return { ...s, url: 'scheme', scheme: prefix.toLowerCase(), recent: '' };
  return { ...s, url: 'relative', recent: '' };
}

/**
 * Inside <script>, <style>, <textarea>, <title>…: only the element's own end
 * tag (followed by a space, `/` or `>`) ends it in HTML. Any other tag-like
 * text means the markup relies on how this element reads in context: inside
 * SVG or MathML these elements hold markup, not text.
 */
function rawStep(s: HtmlState, ch: string): HtmlState {
  const recent = s.recent;
  const markupInside = `markup inside <${s.rawTag}>, which SVG and MathML read as tags rather than text`;
  if (recent === '') return ch === '<' ? { ...s, recent: '<' } : s;
  if (recent === '<') {
    if (ch === '/') return { ...s, recent: '</' };
    if (ch === '<') return s;
    if (isLetter(ch) || ch === '!' || ch === '?') return opaque(markupInside);
    return { ...s, recent: '' };
  }
  const candidate = recent + ch.toLowerCase();
  const end = `</${s.rawTag}`;
  if (s.rawTag !== 'plaintext' && end.startsWith(candidate)) {
    return candidate === end ? { ...s, mode: 'rawTextEnd', recent: '' } : { ...s, recent: candidate };
  }
  return opaque(markupInside);
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
      if (ch === '"') return enterValue(s, 'doubleQuoted');
      if (ch === "'") return enterValue(s, 'singleQuoted');
      if (ch === '>') return closeTag(s);
      return step(enterValue(s, 'unquoted'), ch);
    case 'doubleQuoted':
      return ch === '"' ? leaveValue(s, 'beforeAttr') : urlStep(s, ch);
    case 'singleQuoted':
      return ch === "'" ? leaveValue(s, 'beforeAttr') : urlStep(s, ch);
    case 'unquoted':
      if (isSpace(ch)) return leaveValue(s, 'beforeAttr');
      return ch === '>' ? closeTag(leaveValue(s, 'unquoted')) : urlStep(s, ch);
    case 'markupDeclaration': {
      const recent = s.recent + ch;
      if (recent === '--') return { ...s, mode: 'commentStart', recent: '' };
      if ('--'.startsWith(recent)) return { ...s, recent };
      // `<![CDATA[` is a CDATA section inside SVG and MathML and a bogus comment elsewhere.
      if (recent === '[') return opaque('`<![`, which SVG and MathML read as a CDATA section');
      return ch === '>' ? TEXT_STATE : { ...s, mode: 'bogusComment', recent: '' };
    }
    // The comment states of the HTML standard, reduced to what decides where a comment ends:
    // `-->`, `--!>`, and the abrupt `<!-->` and `<!--->`.
    case 'commentStart':
      if (ch === '-') return { ...s, mode: 'commentStartDash' };
      return ch === '>' ? TEXT_STATE : { ...s, mode: 'comment' };
    case 'commentStartDash':
      if (ch === '-') return { ...s, mode: 'commentEnd' };
      return ch === '>' ? TEXT_STATE : { ...s, mode: 'comment' };
    case 'comment':
      return ch === '-' ? { ...s, mode: 'commentEndDash' } : s;
    case 'commentEndDash':
      return ch === '-' ? { ...s, mode: 'commentEnd' } : { ...s, mode: 'comment' };
    case 'commentEnd':
      if (ch === '>') return TEXT_STATE;
      if (ch === '!') return { ...s, mode: 'commentEndBang' };
      return ch === '-' ? s : { ...s, mode: 'comment' };
    case 'commentEndBang':
      if (ch === '>') return TEXT_STATE;
      return ch === '-' ? { ...s, mode: 'commentEndDash' } : { ...s, mode: 'comment' };
    case 'bogusComment':
      return ch === '>' ? TEXT_STATE : s;
    case 'rawText':
      return rawStep(s, ch);
    case 'rawTextEnd':
      if (isSpace(ch) || ch === '/') return { ...TEXT_STATE, mode: 'beforeAttr', tag: s.rawTag, endTag: true };
      if (ch === '>') return TEXT_STATE;
      return opaque(`markup inside <${s.rawTag}>, which SVG and MathML read as tags rather than text`);
    case 'opaque':
      return s;
  }
}

/** The tokenizer state after reading `chunk` from state `s`. */
export function feed(s: HtmlState, chunk: string): HtmlState {
  let state = s;
  for (const ch of chunk) state = step(state, ch);
  return state;
}

/** The state after a value the codemod does not know the text of (a number) was written at `s`. */
export function afterData(s: HtmlState): HtmlState {
  return s.url === 'pending' ? { ...s, url: 'unknown', recent: '' } : s;
}

export function sameState(a: HtmlState, b: HtmlState): boolean {
  return (
    a.mode === b.mode &&
    a.tag === b.tag &&
    a.endTag === b.endTag &&
    a.attr === b.attr &&
    a.rawTag === b.rawTag &&
    a.recent === b.recent &&
    a.url === b.url &&
    a.scheme === b.scheme &&
    a.why === b.why
  );
}

/** Where an escaped value would land, when escaping is not enough there. */
export interface Shortfall {
  /** A phrase saying where the value lands and why escaping is not enough. */
  reason: string;
  /** `url`: only the URL scheme is at stake (a value that cannot hold `:` is fine). */
  kind: 'url' | 'other';
}

/** The quote an attribute value at `s` is written in, if it is in a quoted attribute value. */
export function attributeQuote(s: HtmlState): '"' | "'" | undefined {
  if (s.mode === 'doubleQuoted') return '"';
  if (s.mode === 'singleQuoted') return "'";
  return undefined;
}

function attributeShortfall(s: HtmlState): Shortfall | null {
  const attr = s.attr;
  const other = (reason: string): Shortfall => ({ reason, kind: 'other' });
  if (attr.startsWith('on')) return other(`into the \`${attr}\` event-handler attribute, where escaping is not enough`);
  if (attr === 'srcdoc') return other('into a `srcdoc` attribute, whose value is parsed as HTML again');
  if (attr === 'style') return other('into a `style` attribute, where escaping does not stop CSS injection');
  if (SVG_ANIMATION.has(attr)) return other(`into the \`${attr}\` attribute, with which SVG animation can set a \`javascript:\` URL`);
  if (s.tag === 'meta' && (attr === 'content' || attr === 'http-equiv')) {
    return other(`into the <meta> \`${attr}\` attribute, where a refresh can load a \`javascript:\` URL`);
  }
  if (DIRECTIVE.test(attr)) return other(`into \`${attr}\`, which script frameworks (Alpine, Vue, Angular, htmx) run as code`);
  if (s.url === 'pending' || s.url === 'unknown') {
    return {
      reason: `into the \`${attr}\` URL before its scheme is fixed: escaping does not stop a \`javascript:\` URL (the scheme is not checked)`,
      kind: 'url',
    };
  }
  if (s.url === 'scheme' && SCRIPT_SCHEMES.has(s.scheme)) return other(`into a \`${s.scheme}:\` URL in \`${attr}\`, where escaping is not enough`);
  return null;
}

/**
 * Null when an escaped value is inert at this point of the markup, otherwise
 * where the value lands and why escaping is not enough.
 */
export function escapingFallsShort(s: HtmlState): Shortfall | null {
  switch (s.mode) {
    case 'text':
      return null;
    case 'commentStart':
    case 'commentStartDash':
    case 'comment':
    case 'commentEndDash':
    case 'commentEnd':
    case 'commentEndBang':
      return { reason: 'inside an HTML comment, which some libraries read as code (Knockout `<!-- ko -->`, conditional comments)', kind: 'other' };
    case 'rawText':
    case 'rawTextEnd':
      return s.rawTag === 'textarea' || s.rawTag === 'title'
        ? null
        : { reason: `inside <${s.rawTag}>, where escaping would change the text`, kind: 'other' };
    case 'opaque':
      return { reason: `after ${s.why}`, kind: 'other' };
    case 'doubleQuoted':
    case 'singleQuoted':
      return attributeShortfall(s);
    case 'unquoted':
    case 'beforeValue':
      return { reason: 'into an unquoted attribute value, where escaping is not enough', kind: 'other' };
    case 'markupDeclaration':
    case 'bogusComment':
      return { reason: 'inside a `<!…>` or `<?…>` declaration, where escaping is not enough', kind: 'other' };
    default:
      return { reason: 'inside a tag, where escaping is not enough', kind: 'other' };
  }
}
