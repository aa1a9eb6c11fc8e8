/**
 * Text from hostile input (a record, a file name, a library's message quoting a file) on its way
 * to a terminal, a log or a page: control characters could drive the terminal and bidi controls
 * could make a name read as something it is not, so both are shown as `\uXXXX`. Tabs and newlines
 * stay; callers that need one line fold them first.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
