/**
 * Escaping for everything a report shows that came from input: object names, reasons, values.
 * A hostile name must not break a table, inject HTML, or notify anyone through an @mention.
 */

/** Zero-width space inserted after `@` so GitHub does not turn `@someone` into a mention. */
const MENTION_BREAK = "@&#8203;";

/** Characters that have a meaning in GitHub-flavoured markdown inline text. */
const MARKDOWN_SPECIALS = new Set(["\\", "`", "*", "_", "[", "]", "(", ")", "#", "+", "!", "~", "$", ":"]);

/** Line breaks and other control characters become spaces in inline contexts. */
function flatten(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += c < 32 || c === 127 || c === 0x2028 || c === 0x2029 ? " " : ch;
  }
  return out;
}

/** Inline markdown text: HTML-escaped, markdown punctuation escaped, mentions neutralised, one line. */
export function escapeInline(text: string): string {
  let out = "";
  for (const ch of flatten(text)) {
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "@") out += MENTION_BREAK;
    else if (ch === "|") out += "&#124;";
    else if (MARKDOWN_SPECIALS.has(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** Text inside an HTML element (e.g. `<summary>`): HTML-escaped, mentions neutralised, one line. */
export function escapeHtml(text: string): string {
  let out = "";
  for (const ch of flatten(text)) {
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "'") out += "&#39;";
    else if (ch === "@") out += MENTION_BREAK;
    else if (ch === "`") out += "&#96;";
    else if (ch === "|") out += "&#124;";
    else if (MARKDOWN_SPECIALS.has(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/**
 * Text inside an HTML block (e.g. `<details>`), where markdown is not parsed: HTML escapes, markdown
 * punctuation as numeric character references (literal in HTML and in markdown alike), mentions
 * neutralised, one line.
 */
export function escapeHtmlText(text: string): string {
  let out = "";
  for (const ch of flatten(text)) {
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === "@") out += MENTION_BREAK;
    else if (ch === '"' || ch === "'" || ch === "|" || MARKDOWN_SPECIALS.has(ch))
      out += `&#${ch.charCodeAt(0)};`;
    else out += ch;
  }
  return out;
}

/** `<code>` inside an HTML block: no markdown escapes, which would show as backslashes there. */
export function htmlCode(text: string): string {
  return `<code>${escapeHtmlText(text)}</code>`;
}

/**
 * An inline code element. Rendered as HTML `<code>` with escaped content rather than backticks:
 * no backtick run in the content can close it and a `|` cannot split a table cell. Markdown is
 * still parsed between HTML tags, so the content keeps its markdown escapes too.
 */
export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

/** A fence longer than any backtick run in `content`, so the content cannot close the block. */
export function fenced(content: string, info: string): string {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < content.length; i++) {
    run = content.charCodeAt(i) === 96 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${content}\n${fence}`;
}
