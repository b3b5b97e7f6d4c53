/**
 * Attribute paths as text (RFC 7644 §3.10: `[URI ":"] ATTRNAME ["." subAttr]`), split into `AttrPath`
 * and written back. Names keep the client's spelling; consumers resolve them case-insensitively.
 */
import { SCIM_ENTERPRISE_SCHEMA, SCIM_GROUP_SCHEMA, SCIM_USER_SCHEMA } from "../schema-defs.js";
import type { AttrPath } from "./ast.js";
import { isDigit } from "./tokenize.js";

/** Schema URNs scimgate knows; only these can be written in the `URN.attr` dot form. */
const KNOWN_SCHEMA_URNS = [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_SCHEMA, SCIM_GROUP_SCHEMA];

/**
 * Whether `s` is an attribute name: RFC 7643 §2.1 `ALPHA *(nameChar)` with nameChar `-`, `_`, digit
 * or letter, plus `$` (RFC 7643 itself names `$ref`).
 */
export function isAttrName(s: string): boolean {
  if (s.length === 0 || !(isAsciiLetter(s.charAt(0)) || s.charAt(0) === "$")) return false;
  for (const c of s) {
    if (!(isAsciiLetter(c) || isDigit(c) || c === "-" || c === "_" || c === "$")) return false;
  }
  return true;
}

function isAsciiLetter(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

/** Whether `word` is exactly a schema URN scimgate knows (a schema, not an attribute path). */
export function isKnownSchemaUrn(word: string): boolean {
  const lower = word.toLowerCase();
  return KNOWN_SCHEMA_URNS.some((urn) => urn.toLowerCase() === lower);
}

/**
 * Splits an attribute path word into `AttrPath`, or returns undefined when it is not one.
 * A word starting with `urn:` carries a schema URN: the attribute is the segment after the last `:`
 * (`urn:…:enterprise:2.0:User:manager.value`), except that a known schema URN may also be followed by
 * `.` (`urn:…:enterprise:2.0:User.department`, the pre-2018 Entra form seen in PATCH paths).
 */
export function splitAttrPath(word: string): AttrPath | undefined {
  if (isKnownSchemaUrn(word)) return undefined;
  if (word.slice(0, 4).toLowerCase() !== "urn:") return splitDotted(word, undefined);
  const known = knownUrnPrefix(word);
  if (known !== undefined) return splitDotted(word.slice(known.length + 1), known);
  const colon = word.lastIndexOf(":");
  // "urn:" + at least one character of namespace before the attribute.
  if (colon <= 4) return undefined;
  return splitDotted(word.slice(colon + 1), word.slice(0, colon));
}

/** The client's spelling of a known schema URN that `word` starts with, followed by `:` or `.`. */
function knownUrnPrefix(word: string): string | undefined {
  const lower = word.toLowerCase();
  for (const urn of KNOWN_SCHEMA_URNS) {
    const sep = word.charAt(urn.length);
    const rest = word.slice(urn.length + 1);
    if (lower.startsWith(urn.toLowerCase()) && (sep === ":" || sep === ".") && !rest.includes(":")) {
      return word.slice(0, urn.length);
    }
  }
  return undefined;
}

function splitDotted(rest: string, uri: string | undefined): AttrPath | undefined {
  const dot = rest.indexOf(".");
  const attr = dot < 0 ? rest : rest.slice(0, dot);
  const sub = dot < 0 ? undefined : rest.slice(dot + 1);
  // SCIM has one level of sub-attributes (RFC 7643 §2.3.8), so `a.b.c` fails isAttrName on "b.c".
  if (!isAttrName(attr) || (sub !== undefined && !isAttrName(sub))) return undefined;
  return buildAttrPath(uri, attr, sub);
}

/** Builds an `AttrPath` without `undefined`-valued keys, so ASTs compare with strict equality. */
export function buildAttrPath(uri: string | undefined, attr: string, sub: string | undefined): AttrPath {
  if (uri !== undefined && sub !== undefined) return { uri, attr, sub };
  if (uri !== undefined) return { uri, attr };
  if (sub !== undefined) return { attr, sub };
  return { attr };
}

/** Writes an `AttrPath` back in the colon form: `urn:…:User:manager.value`. */
export function formatAttrPath(path: AttrPath): string {
  const base = path.uri === undefined ? path.attr : `${path.uri}:${path.attr}`;
  return path.sub === undefined ? base : `${base}.${path.sub}`;
}
