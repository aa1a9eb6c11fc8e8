/**
 * Checks on a manifest file's text before it is parsed: text that is not valid UTF-8, and template
 * syntax that was never rendered. Both make a file unreadable as manifests: planning them would
 * approve something other than what the cluster receives.
 */
import { Lexer } from "yaml";

/** Where in the text a problem starts: 1-based line and column. */
export interface TextPosition {
  line: number;
  column: number;
}

/**
 * Readers decode bytes as UTF-8 with U+FFFD for every invalid sequence; kubectl's YAML reader
 * refuses such a file instead of applying the replacement characters. A literal U+FFFD typed into
 * a manifest is refused too (write the escape `"\uFFFD"` in a quoted string): the two cannot be
 * told apart once decoded, and refusing is the safe side.
 */
export function replacementCharacterAt(content: string): TextPosition | undefined {
  const offset = content.indexOf("\uFFFD");
  return offset < 0 ? undefined : positionOf(content, offset);
}

/**
 * Helm's built-in objects: `{{ ... .Values.x ... }}` in a manifest is a chart template that was
 * never rendered. Other `{{ }}` text is left alone: Prometheus and Alertmanager rules
 * (`{{ $labels.pod }}`) and Argo Workflows (`{{inputs.parameters.x}}`) keep it on purpose.
 */
const HELM_EXPRESSION =
  /\{\{-?[^}\n]{0,200}?(?:\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|\b(?:include|toYaml|nindent|tpl|required)\b)/;

/**
 * The first place where `content` holds unrendered template syntax, or undefined: either a Helm
 * expression anywhere, or `{{` where YAML would read a flow mapping (an unquoted `key: {{ x }}` or
 * a `{{- if }}` line), which no Kubernetes object contains since map keys must be strings.
 */
export function unrenderedTemplateAt(content: string): TextPosition | undefined {
  if (!content.includes("{{")) return undefined;
  const helm = HELM_EXPRESSION.exec(content);
  if (helm) return positionOf(content, helm.index);
  // Quoted and block scalars are single tokens, so only a flow mapping opened twice in a row is seen.
  let offset = 0;
  let previous = "";
  for (const token of new Lexer().lex(content)) {
    if (token === "{" && previous === "{") return positionOf(content, offset - 1);
    previous = token;
    offset += token.length;
  }
  return undefined;
}

/** 1-based line and column of a UTF-16 offset in `content`. */
export function positionOf(content: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = content.indexOf("\n"); i >= 0 && i < offset; i = content.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
