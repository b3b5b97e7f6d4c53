/**
 * The lexer shared by `parseFilter` and `parsePatchPath`. It splits text into brackets, JSON string
 * literals and "words" (runs of anything else up to whitespace, a bracket or a quote). Words are
 * classified by the parser, by position: an attribute path, an operator, a keyword or a bare value.
 */
import { badRequest, type SCIMType } from "../errors.js";
import type { FilterValue } from "./ast.js";

/** One lexical token; `offset` is its 0-based character position in the source text. */
export interface Token {
  readonly kind: "(" | ")" | "[" | "]" | "string" | "word" | "end";
  /** The source text of the token (the quoted form for strings, "" for end). */
  readonly text: string;
  /** The decoded value of a string literal; equal to `text` for every other kind. */
  readonly value: string;
  readonly offset: number;
}

const PUNCTUATION = new Set(["(", ")", "[", "]"]);
const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

/** Splits `text` into tokens ending with an `end` token; a bad string literal throws 400 `scimType`. */
export function tokenize(text: string, scimType: SCIMType): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (WHITESPACE.has(c)) {
      i++;
    } else if (PUNCTUATION.has(c)) {
      tokens.push({ kind: c as Token["kind"], text: c, value: c, offset: i });
      i++;
    } else if (c === '"') {
      const token = readString(text, i, scimType);
      tokens.push(token);
      i += token.text.length;
    } else {
      const end = wordEnd(text, i);
      const word = text.slice(i, end);
      tokens.push({ kind: "word", text: word, value: word, offset: i });
      i = end;
    }
  }
  tokens.push({ kind: "end", text: "", value: "", offset: text.length });
  return tokens;
}

function wordEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charAt(i);
    if (WHITESPACE.has(c) || PUNCTUATION.has(c) || c === '"') break;
    i++;
  }
  return i;
}

/** Reads a JSON string literal (RFC 7644 §3.4.2.2: compValue strings are JSON strings, RFC 8259 §7). */
function readString(text: string, start: number, scimType: SCIMType): Token {
  let i = start + 1;
  while (i < text.length && text.charAt(i) !== '"') {
    i += text.charAt(i) === "\\" ? 2 : 1;
  }
  if (i >= text.length) {
    throw badRequest(scimType, `unterminated string starting at offset ${start}`);
  }
  const raw = text.slice(start, i + 1);
  let value: unknown;
  try {
    // JSON.parse of a lone string literal decodes exactly the RFC 8259 escapes and nothing else.
    value = JSON.parse(raw);
  } catch {
    throw badRequest(scimType, `invalid string literal at offset ${start} (bad escape or control character)`);
  }
  return { kind: "string", text: raw, value: value as string, offset: start };
}

/**
 * Classifies an unquoted value word. `true`/`false`/`null` (any case) and JSON numbers are literals;
 * anything else is a string: Microsoft's own tests send `externalId eq jyoung` and
 * `meta.Created gt 2015-10-10T14:38:21.8617979-07:00` unquoted (reference/entra-scim-client.md).
 */
export function classifyBareValue(word: string): FilterValue {
  const lower = word.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (isJsonNumber(word)) {
    const n = Number(word);
    if (Number.isFinite(n)) return n;
  }
  return word;
}

/** Whether `s` is exactly a JSON number (RFC 8259 §6): `-? int frac? exp?`. */
export function isJsonNumber(s: string): boolean {
  let i = s.charAt(0) === "-" ? 1 : 0;
  if (s.charAt(i) === "0") i++;
  else if (isDigit(s.charAt(i))) i = skipDigits(s, i);
  else return false;
  if (s.charAt(i) === ".") {
    if (!isDigit(s.charAt(i + 1))) return false;
    i = skipDigits(s, i + 1);
  }
  if (s.charAt(i) === "e" || s.charAt(i) === "E") {
    i++;
    if (s.charAt(i) === "+" || s.charAt(i) === "-") i++;
    if (!isDigit(s.charAt(i))) return false;
    i = skipDigits(s, i);
  }
  return i === s.length;
}

function skipDigits(s: string, start: number): number {
  let i = start;
  while (isDigit(s.charAt(i))) i++;
  return i;
}

/** Whether `c` is one ASCII digit. */
export function isDigit(c: string): boolean {
  return c.length === 1 && c >= "0" && c <= "9";
}
