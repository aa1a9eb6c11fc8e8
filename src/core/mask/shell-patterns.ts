/**
 * Secrets in command lines: `--api-key VALUE` (a flag whose name says so), and the short flags of
 * tools that take a password or token on the command line (`docker login -p`, `mysql -pPW`,
 * `redis-cli -a`, `sshpass -p`, `vault login TOKEN`, `curl -u user:PW`). Also used on `command`/`args`
 * lists of containers. Each command line is read once, up to its end (bounded).
 */
import { NAME_WORDS, RangeMemo, SENSITIVITY, masksValueAt } from "./config-memo.js";
import type { Sensitivity } from "./sensitive-names.js";
import { type Scanner, type SpanSink, detector } from "./span.js";
import { isAlnum } from "./span.js";

/** Per tool: flags followed by a secret, flags with the secret attached, secret positional after a subcommand. */
interface ToolRule {
  separate?: readonly string[];
  attached?: readonly string[];
  /** `vault login TOKEN`: the first positional argument after this subcommand. */
  positionalAfter?: string;
  /** `curl -u user:PW`: the part after the first colon of this flag's value. */
  userColon?: readonly string[];
}

const LOGIN = { separate: ["-p", "--password"], userColon: ["--creds", "--src-creds", "--dest-creds"] };
const MONGO = { separate: ["-p", "--password"] };
const LDAP = { separate: ["-w"] };
const TOOLS: Record<string, ToolRule> = {
  docker: LOGIN,
  podman: LOGIN,
  nerdctl: LOGIN,
  buildah: LOGIN,
  helm: LOGIN,
  oras: LOGIN,
  crane: LOGIN,
  skopeo: LOGIN,
  regctl: LOGIN,
  mysql: { attached: ["-p"] },
  mysqldump: { attached: ["-p"] },
  mysqladmin: { attached: ["-p"] },
  mysqlimport: { attached: ["-p"] },
  mariadb: { attached: ["-p"] },
  "mariadb-dump": { attached: ["-p"] },
  "redis-cli": { separate: ["-a", "--pass"] },
  sshpass: { separate: ["-p"] },
  vault: { positionalAfter: "login" },
  curl: { userColon: ["-u", "--user", "--proxy-user", "-U"] },
  wget: { separate: ["--password", "--http-password", "--ftp-password"] },
  mongo: MONGO,
  mongosh: MONGO,
  mongodump: MONGO,
  mongorestore: MONGO,
  mongoexport: MONGO,
  ldapsearch: LDAP,
  ldapadd: LDAP,
  ldapmodify: LDAP,
  ldapdelete: LDAP,
  ldapwhoami: LDAP,
  sqlcmd: { separate: ["-P"] },
  bcp: { separate: ["-P"] },
  az: { separate: ["-p", "--password"] },
  influx: { separate: ["-t", "--token", "-p", "--password"] },
  smbclient: { userColon: ["-U"] },
};

/** A tool's rule with every field present (one object shape: property reads stay monomorphic). */
interface CompiledRule {
  separate: readonly string[];
  attached: readonly string[];
  hasAfter: boolean;
  after: string;
  userColon: readonly string[];
}

function compile(rule: ToolRule | undefined): CompiledRule {
  return {
    separate: rule?.separate ?? [],
    attached: rule?.attached ?? [],
    hasAfter: rule?.positionalAfter !== undefined,
    after: rule?.positionalAfter ?? "",
    userColon: rule?.userColon ?? [],
  };
}

const TOOL_NAME_LIST = Object.keys(TOOLS);
const COMPILED: readonly CompiledRule[] = TOOL_NAME_LIST.map((name) => compile(TOOLS[name]));
const NO_RULE = compile(undefined);

/** The index of a tool by its name in TOOL_NAME_LIST, or -1. */
const TOOL_INDEX = new Map(TOOL_NAME_LIST.map((name, i) => [name, i]));

export interface Word {
  start: number;
  end: number;
}

/** Longest command line read after a tool's name. */
const MAX_COMMAND = 2048;

/** Word bounds of the command being read (at most one word per character of MAX_COMMAND). */
const WORD_START = new Int32Array(MAX_COMMAND + 1);
const WORD_END = new Int32Array(MAX_COMMAND + 1);

/** Spans of secrets in `words` (the words of one command, tool first); `text` holds them. */
export function secretWords(text: string, words: readonly Word[], out: SpanSink): void {
  const starts = new Int32Array(words.length);
  const ends = new Int32Array(words.length);
  words.forEach((w, i) => {
    starts[i] = w.start;
    ends[i] = w.end;
  });
  secretWordsAt(text, starts, ends, words.length, out);
}

/** secretWords over word bounds held in arrays (the detector reads commands without allocating). */
function secretWordsAt(
  text: string,
  starts: Int32Array,
  ends: Int32Array,
  count: number,
  out: SpanSink,
): void {
  if (count === 0) return;
  const index = TOOL_INDEX.get(baseName(text.slice(starts[0], ends[0])));
  secretWordsOf(
    text,
    starts,
    ends,
    count,
    index === undefined ? NO_RULE : (COMPILED[index] as CompiledRule),
    out,
  );
}

/** The secrets of one command whose tool's rule is `tool` (NO_RULE when the first word is no tool). */
function secretWordsOf(
  text: string,
  starts: Int32Array,
  ends: Int32Array,
  count: number,
  tool: CompiledRule,
  out: SpanSink,
): void {
  const hasAfter = tool.hasAfter;
  const after = tool.after;
  let positional = false;
  for (let i = 0; i < count; i++) {
    const start = starts[i] as number;
    const end = ends[i] as number;
    if (hasAfter && end - start === after.length && text.startsWith(after, start)) {
      positional = true;
      continue;
    }
    const dash = end > start && text.charCodeAt(start) === 45;
    if (positional && !dash) {
      out.add(start, end, "shell-secret");
      positional = false;
      continue;
    }
    // Every other rule reads a flag: a word starting with `-` (compared in place, never sliced).
    if (!dash) continue;
    const length = end - start;
    if (isAttached(text, start, length, tool.attached)) {
      out.add(start + 2, end, "shell-secret");
      continue;
    }
    if (i + 1 >= count) continue;
    const nextStart = starts[i + 1] as number;
    const nextEnd = ends[i + 1] as number;
    if (isOneOf(text, start, end, tool.separate)) {
      out.add(nextStart, nextEnd, "shell-secret");
      i++;
      continue;
    }
    if (isOneOf(text, start, end, tool.userColon)) {
      const colon = text.indexOf(":", nextStart);
      if (colon >= 0 && colon < nextEnd - 1) out.add(colon + 1, nextEnd, "shell-secret");
      i++;
      continue;
    }
    // Any long flag whose name says secret: `--anthropic-key VALUE`, `--db-password VALUE`.
    if (length <= 64 && !hasEquals(text, start, end)) {
      let nameStart = start;
      while (nameStart < end && text.charCodeAt(nameStart) === 45) nameStart++;
      if (nameStart === end || text.charCodeAt(nextStart) === 45) continue;
      const sensitivity = SENSITIVITY.get(text, nameStart, end);
      if (sensitivity !== "none" && judged(text, nextStart, nextEnd, sensitivity)) {
        out.add(nextStart, nextEnd, "shell-secret");
        i++;
      }
    }
  }
}

/** Whether the word starts with one of `flags` and holds more (`-pSECRET`), not `--…`. */
function isAttached(text: string, start: number, length: number, flags: readonly string[]): boolean {
  if (flags.length === 0 || text.charCodeAt(start + 1) === 45) return false;
  for (let k = 0; k < flags.length; k++) {
    const f = flags[k] as string;
    if (length > f.length && sameAt(text, start, f)) return true;
  }
  return false;
}

/** Whether `text[start, end)` is one of `flags`. */
function isOneOf(text: string, start: number, end: number, flags: readonly string[]): boolean {
  for (let k = 0; k < flags.length; k++) {
    const f = flags[k] as string;
    if (f.length === end - start && sameAt(text, start, f)) return true;
  }
  return false;
}

/** Whether `text` holds `word` at `at` (short words: compared in place, no native call). */
function sameAt(text: string, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}

function hasEquals(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 61) return true;
  return false;
}

/** judge(name, value) for a name of `sensitivity` !== "none", cached by the value's range. */
function judged(text: string, start: number, end: number, sensitivity: Sensitivity): boolean {
  return sensitivity !== "none" && masksValueAt(text, start, end, sensitivity);
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

/** The words of a command from `from` to the end of the command (quotes stripped from each word). */
export function commandWords(text: string, from: number): Word[] {
  const count = commandWordsAt(text, from);
  const words: Word[] = [];
  for (let i = 0; i < count; i++) words.push({ start: WORD_START[i] as number, end: WORD_END[i] as number });
  return words;
}

/** What ends a command word: a blank (1), the end of the command (2: newline, `;`, `&`, `|`), a quote (4). */
const BLANK = 1;
const COMMAND_END = 2;
const QUOTE = 4;
const WORD_BREAK: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  for (const c of [32, 9, 11, 12]) table[c] = BLANK;
  for (const c of [10, 13, 59, 38, 124]) table[c] = COMMAND_END;
  table[34] = QUOTE;
  table[39] = QUOTE;
  return table;
})();

/**
 * Where commandWordsAt stopped reading: after the character that ended the command, or at its
 * limit. The words depend on `text[from, commandStop)` alone (a quote closed past the limit counts
 * as unclosed).
 */
let commandStop = 0;
/** Whether it stopped at a character that ends commands (else at the limit). */
let commandEnded = false;

/** commandWords into WORD_START / WORD_END; returns how many. */
function commandWordsAt(text: string, from: number): number {
  let count = 0;
  const limit = Math.min(text.length, from + MAX_COMMAND);
  commandStop = limit;
  commandEnded = false;
  let i = from;
  while (i < limit) {
    const c = text.charCodeAt(i);
    const kind = WORD_BREAK[c] as number;
    if (kind === 0) {
      const start = i++;
      while (i < limit && WORD_BREAK[text.charCodeAt(i)] === 0) i++;
      WORD_START[count] = start;
      WORD_END[count++] = i;
      continue;
    }
    if (kind === BLANK) {
      i++;
      continue;
    }
    if (kind === COMMAND_END) {
      commandStop = i + 1;
      commandEnded = true;
      return count;
    }
    const close = text.indexOf(c === 34 ? '"' : "'", i + 1);
    const end = close < 0 || close > limit ? limit : close;
    WORD_START[count] = i + 1;
    WORD_END[count++] = end;
    i = end + 1;
  }
  return count;
}

/*
 * Tool invocations are found from two native searches that leapfrog each other (linear, no
 * backtracking: one character class, literal alternatives, a one-character look-ahead):
 * - TOOL: a tool's name as a whole word followed by a blank (the class before it is the boundary:
 *   attempts start at characters that cannot be inside a tool's word, so a tool name inside a word
 *   costs nothing);
 * - FLAG_OR_LOGIN: a word starting with `-` and another character, or `login`, after a blank or a
 *   quote (every secret a tool rule finds is a flag's, an attached flag's or the word after `login`).
 * A tool is read only when such a word lies within its command's reach (MAX_COMMAND characters),
 * and a word only when a tool lies before it within that reach: text without a tool or without a
 * flag costs one native search.
 */
const BLANK_CLASS = "[ \\t\\n\\r\\v\\f]";
const byLength = (names: readonly string[]): string =>
  [...names].sort((a, b) => b.length - a.length).join("|");
/** A tool's name after a character that cannot be part of its word, followed by a blank or the end. */
const toolRegex = (names: readonly string[]): RegExp =>
  new RegExp(`[^\\w-](?:${byLength(names)})(?=${BLANK_CLASS}|$)`, "g");
const TOOL = toolRegex(TOOL_NAME_LIST);
const LONGEST_TOOL = Math.max(...TOOL_NAME_LIST.map((name) => name.length));
/** The text's first word as a tool (TOOL needs a character before the name). */
const TOOL_AT_START = new RegExp(`^(?:${byLength(TOOL_NAME_LIST)})(?=${BLANK_CLASS}|$)`);
/** Per tool, TOOL without it: finds another tool's invocation inside a command of this one already read. */
const OTHER_TOOL: (RegExp | undefined)[] = TOOL_NAME_LIST.map(() => undefined);
const FLAG_OR_LOGIN = /[\s"'](?:-[^\s"';&|]|login(?=[\s"';&|]|$))/g;

/** Tool invocations and secret-named flags anywhere in free text. */
export const scanShellSecrets: Scanner = (text, out) => {
  toolCommands(text, out);
  detectSecretFlags(text, out);
};
export const detectShellSecrets = detector(scanShellSecrets);

/** The tool index of a word, by range (-1: no tool). */
const TOOL_OF = new RangeMemo((word) => TOOL_INDEX.get(word) ?? -1);

/** Where the last tool found ends, and its index in TOOL_NAME_LIST. */
interface Found {
  end: number;
  index: number;
}

/** The start of the first match of `re` (a toolRegex) from `from`, its end and tool in `found`; or -1. */
function searchTool(re: RegExp, text: string, from: number, found: Found): number {
  if (from >= text.length) return -1;
  re.lastIndex = from - 1;
  if (!re.test(text)) return -1;
  const end = re.lastIndex;
  let start = end - 1;
  while (start > 0 && isToolWordChar(text.charCodeAt(start - 1))) start--;
  found.end = end;
  found.index = TOOL_OF.get(text, start, end);
  return start;
}

/** The next tool invocation from `from`: its start (its end and tool in `found`), or -1. */
function nextTool(text: string, from: number, found: Found): number {
  if (from === 0 && TOOL_AT_START.test(text)) {
    let end = 0;
    while (isToolWordChar(text.charCodeAt(end))) end++;
    found.end = end;
    found.index = TOOL_OF.get(text, 0, end);
    return 0;
  }
  return searchTool(TOOL, text, Math.max(1, from), found);
}

function isToolWordChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 95;
}

/** The start of the next flag word or `login` from `from`, or -1. */
function nextFlag(text: string, from: number): number {
  if (from >= text.length) return -1;
  // The regex reads the blank or quote before the word: the text's first word is looked at here.
  if (from === 0 && /^(?:-[^\s"';&|]|login(?:[\s"';&|]|$))/.test(text)) return 0;
  FLAG_OR_LOGIN.lastIndex = from === 0 ? 0 : from - 1;
  if (!FLAG_OR_LOGIN.test(text)) return -1;
  const end = FLAG_OR_LOGIN.lastIndex;
  return text.charCodeAt(end - 2) === 45 ? end - 2 : end - 5;
}

function toolCommands(text: string, out: SpanSink): void {
  const found: Found = { end: 0, index: 0 };
  // The last command read: a command whose text is the same (text that repeats a command line) has
  // the same words and secrets, added shifted instead of read again.
  const last = {
    index: -1,
    start: 0,
    length: 0,
    /** Whether it ended at a character that ends commands (else at its length limit). */
    stoppedBy: false,
    spansFrom: 0,
    spansTo: 0,
    readUntil: 0,
  };
  // Per tool, where its last command read ends: an invocation inside it was read with it.
  const readUntil = new Int32Array(TOOL_NAME_LIST.length);
  /**
   * The start of the first invocation of a tool other than `index` in `[from, until)`, or -1. The
   * search runs on that stretch alone (and the longest tool name past it, for the blank after a
   * name): it never reads beyond the command it skips.
   */
  const lastOther = { index: -1, stretch: "", at: -1 };
  const nextOther = (index: number, from: number, until: number): number => {
    let re = OTHER_TOOL[index];
    if (re === undefined) {
      re = toolRegex(TOOL_NAME_LIST.filter((_, i) => i !== index));
      OTHER_TOOL[index] = re;
    }
    const offset = from - 1;
    const stretch = text.slice(offset, Math.min(text.length, until + LONGEST_TOOL + 1));
    // A stretch the same as the last one searched (a repeated command) holds the same tools.
    if (index !== lastOther.index || stretch !== lastOther.stretch) {
      lastOther.index = index;
      lastOther.stretch = stretch;
      lastOther.at = -1;
      re.lastIndex = 0;
      if (re.test(stretch)) {
        let start = offset + re.lastIndex - 1;
        while (isToolWordChar(text.charCodeAt(start - 1))) start--;
        lastOther.at = start - offset;
      }
    }
    const start = lastOther.at < 0 ? -1 : offset + lastOther.at;
    return start < until ? start : -1;
  };
  /**
   * The next invocation from `from` not inside a command of the same tool already read. Inside such
   * a command, the search goes on from the next invocation of another tool, or from the command's
   * end: the same tool's name repeated in its own command costs nothing.
   */
  const nextOpen = (from: number): number => {
    for (;;) {
      const at = nextTool(text, from, found);
      if (at < 0) return -1;
      const until = readUntil[found.index] as number;
      if (at >= until) return at;
      const next = nextOther(found.index, found.end, until);
      from = next >= 0 ? next : until;
    }
  };
  let flag = nextFlag(text, 0);
  let tool = flag < 0 ? -1 : nextOpen(Math.max(0, flag - MAX_COMMAND + 1));
  while (flag >= 0 && tool >= 0) {
    if (flag >= tool + MAX_COMMAND) {
      // This tool's command cannot reach the flag (nor any later one): skip to tools that can.
      tool = nextOpen(Math.max(found.end, flag - MAX_COMMAND + 1));
    } else if (flag < tool) {
      // No unread tool before this flag can reach it: the next flag after the tool.
      flag = nextFlag(text, tool);
    } else {
      const index = found.index;
      const limit = Math.min(text.length, tool + MAX_COMMAND);
      const length = last.length;
      if (
        last.index === index &&
        (last.stoppedBy || limit - tool === length) &&
        tool + length <= text.length &&
        // Two characters before the whole: a command that differs (a distinct secret) is told apart
        // without a string made for it.
        text.charCodeAt(tool + length - 2) === text.charCodeAt(last.start + length - 2) &&
        text.charCodeAt(tool + (length >> 1)) === text.charCodeAt(last.start + (length >> 1)) &&
        // One native comparison (String.prototype.startsWith compares character by character).
        text.slice(tool, tool + length) === text.slice(last.start, last.start + length)
      ) {
        // The text repeats the last command read: its spans and end, shifted.
        const shift = tool - last.start;
        for (let k = last.spansFrom; k < last.spansTo; k++)
          out.add((out.starts[k] as number) + shift, (out.ends[k] as number) + shift, "shell-secret");
        readUntil[index] = last.readUntil + shift;
      } else {
        const spansFrom = out.count;
        const count = commandWordsAt(text, tool);
        secretWordsOf(text, WORD_START, WORD_END, count, COMPILED[index] as CompiledRule, out);
        const nameLength = (TOOL_NAME_LIST[index] as string).length;
        readUntil[index] = Math.max(tool + nameLength, count === 0 ? 0 : (WORD_END[count - 1] as number));
        last.index = index;
        last.start = tool;
        last.length = commandStop - tool;
        last.stoppedBy = commandEnded;
        last.spansFrom = spansFrom;
        last.spansTo = out.count;
        last.readUntil = readUntil[index] as number;
      }
      tool = nextOpen(found.end);
    }
  }
}

/**
 * `--name VALUE` where the flag's name says the value is a secret, anywhere in text. One native
 * search (linear: a literal, a bounded class, a one-character look-around, literal alternatives
 * tried along the name once) finds `--name ` after a blank or a quote, holding a word every
 * sensitive name holds (NAME_WORDS: `--begin-key-----` lines are not looked at) and not followed by
 * what cannot start a value (a blank, `-`, the end of a command).
 */
const FLAG_NAME = String.raw`--(?=[A-Za-z0-9_-]*?(?:${NAME_WORDS}))[A-Za-z0-9_-]{1,62} (?![ \t\n\r\v\f;&|-])`;
/** The blank or quote before `--` is part of the match: attempts start there, not at every `--`. */
const SECRET_FLAG = new RegExp(String.raw`[ \t\n\r\v\f"']${FLAG_NAME}`, "gi");
/** The same at the start of the text (nothing before the flag). */
const SECRET_FLAG_AT_START = new RegExp(FLAG_NAME, "iy");

function detectSecretFlags(text: string, out: SpanSink): void {
  SECRET_FLAG_AT_START.lastIndex = 0;
  const atStart = SECRET_FLAG_AT_START.test(text);
  // A match ends after the blank following the name, and its value cannot start with `-`: the next
  // `--` lies past lastIndex, so the character before it is at lastIndex or later.
  SECRET_FLAG.lastIndex = atStart ? SECRET_FLAG_AT_START.lastIndex : 0;
  for (let first = atStart; first || SECRET_FLAG.test(text); first = false) {
    const end = SECRET_FLAG.lastIndex - 1;
    let at = end - 1;
    while (at > 0 && isFlagChar(text.charCodeAt(at - 1))) at--;
    const sensitivity = SENSITIVITY.get(text, at + 2, end);
    if (sensitivity === "none") continue;
    // The value: firstWord(text, end + 1), read in place.
    let start = end + 1;
    let valueEnd: number;
    const q = text.charCodeAt(start);
    if (q === 34 || q === 39) {
      const close = text.indexOf(q === 34 ? '"' : "'", start + 1);
      if (close < 0 || close - start > MAX_COMMAND) continue;
      start++;
      valueEnd = close;
    } else {
      valueEnd = wordEnd(text, start);
      if (valueEnd === start) continue;
    }
    if (text.charCodeAt(start) === 45) continue;
    if (judged(text, start, valueEnd, sensitivity)) {
      out.add(start, valueEnd, "shell-secret");
      // From the value's last character: it may be the quote before the next flag (a value cut at MAX_COMMAND).
      SECRET_FLAG.lastIndex = Math.max(SECRET_FLAG.lastIndex, valueEnd - 1);
    }
  }
}

/** The end of an unquoted word starting at `at`: the first blank or end of command, at most MAX_COMMAND on. */
function wordEnd(text: string, at: number): number {
  const limit = Math.min(text.length, at + MAX_COMMAND);
  let end = at;
  while (end < limit && ((WORD_BREAK[text.charCodeAt(end)] as number) & (BLANK | COMMAND_END)) === 0) end++;
  return end;
}

function isFlagChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 95;
}

/** The one word (maybe quoted) starting at `at`, bounded. */
export function firstWord(text: string, at: number): Word | undefined {
  const q = text.charCodeAt(at);
  if (q === 34 || q === 39) {
    const close = text.indexOf(String.fromCharCode(q), at + 1);
    if (close < 0 || close - at > MAX_COMMAND) return undefined;
    return { start: at + 1, end: close };
  }
  const end = wordEnd(text, at);
  return end > at ? { start: at, end } : undefined;
}
