/**
 * The SCIM filter grammar (RFC 7644 §3.4.2.2) and PATCH path grammar (RFC 7644 §3.5.2): a hand-written
 * recursive-descent parser over `tokenize`. Every recursion goes through `enter`, which refuses a level
 * past MAX_FILTER_DEPTH before descending, so hostile nesting costs at most ~60 stack frames; the length
 * cap is checked before tokenising and the term cap as each term is read.
 *
 * Leniency beyond the RFC, all of it for Entra or Microsoft's own test collection
 * (../shared/reference/entra-scim-client.md):
 * - unquoted values (`externalId eq jyoung`): a word that is not a number/true/false/null is a string;
 * - `emails[type eq "work"].value eq "x"` becomes `emails[type eq "work" and value eq "x"]`;
 * - operators and keywords in any case (`EQ`, `And`), and `not attrExp` without parentheses (as scimmy
 *   accepts); `not` directly followed by an operator is the attribute named "not" (`not pr`).
 */
import { badRequest, type SCIMType } from "../errors.js";
import {
  type AttrPath,
  type CompareOp,
  type Filter,
  type FilterValue,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_TERMS,
  type NotNode,
  type PatchPath,
} from "./ast.js";
import { buildAttrPath, isAttrName, isKnownSchemaUrn, splitAttrPath } from "./attr-path.js";
import { classifyBareValue, type Token, tokenize } from "./tokenize.js";

export { formatFilter } from "./format.js";

const COMPARE_OPS: ReadonlySet<string> = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
/** Longest slice of client text echoed in an error detail. */
const MAX_ECHO = 40;

/**
 * Parses a `filter` query parameter (RFC 7644 §3.4.2.2) into the AST, or throws
 * `SCIMError(400, "invalidFilter")` whose detail names what was expected and the character offset.
 */
export function parseFilter(text: string): Filter {
  return new Parser(text, "invalidFilter", "filter").parseWholeFilter();
}

/**
 * Parses a PATCH operation path (RFC 7644 §3.5.2: `attrPath / valuePath [subAttr]`). Every failure,
 * including a malformed or oversized filter inside `[...]`, is `SCIMError(400, "invalidPath")`: RFC 7644
 * §3.12 defines invalidPath as "the path attribute was invalid or malformed", and one scimType per
 * input keeps the PATCH error contract simple.
 */
export function parsePatchPath(text: string): PatchPath {
  return new Parser(text, "invalidPath", "PATCH path").parseWholePatchPath();
}

/** A `.sub` word read after `]`. */
interface TrailingSub {
  readonly name: string;
  readonly token: Token;
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private terms = 0;

  constructor(
    text: string,
    private readonly scimType: SCIMType,
    private readonly noun: string,
  ) {
    if (text.length > MAX_FILTER_LENGTH) {
      this.fail(
        `${noun} is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH} (MAX_FILTER_LENGTH)`,
      );
    }
    this.tokens = tokenize(text, scimType);
    if (this.peek().kind === "end") this.fail(`${noun} is empty`);
  }

  parseWholeFilter(): Filter {
    const filter = this.parseOr(0, false);
    this.expectCloser("end");
    return filter;
  }

  parseWholePatchPath(): PatchPath {
    const first = this.next();
    const path = this.attrPath(first, false);
    if (!this.startsBracket(first)) {
      this.expectPatchEnd();
      return { path };
    }
    const filter = this.parseBracket(path, first, 0, false);
    const sub = this.parseTrailingSub();
    this.expectPatchEnd();
    return sub === undefined ? { path, filter } : { path, filter, sub: sub.name };
  }

  /** `or` binds loosest; an unparenthesised chain becomes one flattened node. */
  private parseOr(depth: number, inValue: boolean): Filter {
    const filters = [this.parseAnd(depth, inValue)];
    while (isKeyword(this.peek(), "or")) {
      this.pos++;
      filters.push(this.parseAnd(depth, inValue));
    }
    return filters.length === 1 ? filters[0]! : { type: "or", filters };
  }

  private parseAnd(depth: number, inValue: boolean): Filter {
    const filters = [this.parseUnary(depth, inValue)];
    while (isKeyword(this.peek(), "and")) {
      this.pos++;
      filters.push(this.parseUnary(depth, inValue));
    }
    return filters.length === 1 ? filters[0]! : { type: "and", filters };
  }

  private parseUnary(depth: number, inValue: boolean): Filter {
    const tok = this.peek();
    if (tok.kind === "(") return this.parseGroup(depth, inValue);
    if (isKeyword(tok, "not")) {
      const after = this.peek(1);
      if (after.kind === "(") return this.parseNot(depth, inValue, true);
      if (after.kind === "word" && !isOperator(after)) return this.parseNot(depth, inValue, false);
    }
    return this.parseAttrExp(depth, inValue);
  }

  private parseGroup(depth: number, inValue: boolean): Filter {
    const open = this.next();
    this.enter(depth + 1, open);
    const filter = this.parseOr(depth + 1, inValue);
    this.expectCloser(")", open);
    return filter;
  }

  /** `not (f)` per RFC 7644 §3.4.2.2, or `not attrExp`, which negates the single term that follows. */
  private parseNot(depth: number, inValue: boolean, grouped: boolean): NotNode {
    const not = this.next();
    this.enter(depth + 1, not);
    if (!grouped) return { type: "not", filter: this.parseUnary(depth + 1, inValue) };
    const open = this.next();
    const filter = this.parseOr(depth + 1, inValue);
    this.expectCloser(")", open);
    return { type: "not", filter };
  }

  private parseAttrExp(depth: number, inValue: boolean): Filter {
    const pathToken = this.next();
    const path = this.attrPath(pathToken, inValue);
    if (this.startsBracket(pathToken)) return this.parseValuePath(path, pathToken, depth, inValue);
    return this.parseCondition(path, pathToken);
  }

  /** `attr[f]`, or Entra's `attr[f].sub op value`, normalised to `attr[f and sub op value]`. */
  private parseValuePath(path: AttrPath, pathToken: Token, depth: number, inValue: boolean): Filter {
    const filter = this.parseBracket(path, pathToken, depth, inValue);
    const sub = this.parseTrailingSub();
    if (sub === undefined) return { type: "valuePath", path, filter };
    // The trailing comparison tests the same element the bracket selected (reference/entra-scim-client.md).
    const extra = this.parseCondition(buildAttrPath(undefined, sub.name, undefined), sub.token);
    const filters = filter.type === "and" ? [...filter.filters, extra] : [filter, extra];
    return { type: "valuePath", path, filter: { type: "and", filters } };
  }

  /** The `op value` or `pr` after an attribute path; this is where a term is counted. */
  private parseCondition(path: AttrPath, after: Token): Filter {
    this.countTerm(after);
    const opToken = this.peek();
    if (!isOperator(opToken)) {
      this.fail(
        `expected a comparison operator after ${echo(after.text)} at offset ${opToken.offset}${this.found(opToken)}`,
      );
    }
    this.pos++;
    const op = opToken.text.toLowerCase();
    if (op === "pr") return { type: "present", path };
    return { type: "compare", path, op: op as CompareOp, value: this.parseValue(opToken) };
  }

  private parseValue(opToken: Token): FilterValue {
    const tok = this.peek();
    if (tok.kind !== "string" && tok.kind !== "word") {
      this.fail(`expected a value after ${echo(opToken.text)} at offset ${tok.offset}${this.found(tok)}`);
    }
    this.pos++;
    return tok.kind === "string" ? tok.value : classifyBareValue(tok.text);
  }

  /** `[valFilter]`; value paths do not nest (RFC 7644 §3.4.2.2 valuePath holds a plain valFilter). */
  private parseBracket(path: AttrPath, pathToken: Token, depth: number, inValue: boolean): Filter {
    const open = this.next();
    if (inValue) {
      this.fail(
        `nested value paths are not allowed: "[" after ${echo(pathToken.text)} at offset ${open.offset}`,
      );
    }
    if (path.sub !== undefined) {
      this.fail(
        `a value filter cannot follow a sub-attribute: "[" after ${echo(pathToken.text)} at offset ${open.offset}`,
      );
    }
    this.enter(depth + 1, open);
    const filter = this.parseOr(depth + 1, true);
    this.expectCloser("]", open);
    return filter;
  }

  /** Reads `.sub` written directly after `]`, if present. */
  private parseTrailingSub(): TrailingSub | undefined {
    const close = this.tokens[this.pos - 1]!;
    const tok = this.peek();
    if (tok.kind !== "word" || !tok.text.startsWith(".") || !isAdjacent(close, tok)) return undefined;
    this.pos++;
    const name = tok.text.slice(1);
    if (!isAttrName(name)) this.fail(`invalid sub-attribute ${echo(tok.text)} at offset ${tok.offset}`);
    if (this.startsBracket(tok)) {
      this.fail(
        `nested value paths are not allowed: "[" after ${echo(tok.text)} at offset ${this.peek().offset}`,
      );
    }
    return { name, token: tok };
  }

  private attrPath(tok: Token, inValue: boolean): AttrPath {
    if (tok.kind !== "word")
      this.fail(`expected an attribute path at offset ${tok.offset}${this.found(tok)}`);
    if (isKnownSchemaUrn(tok.text)) {
      this.fail(
        `expected an attribute after the schema URN ${echo(tok.text)} at offset ${tok.offset + tok.text.length}`,
      );
    }
    const path = splitAttrPath(tok.text);
    if (path === undefined) {
      this.fail(
        `invalid attribute path ${echo(tok.text)} at offset ${tok.offset}: names start with a letter and ` +
          `use letters, digits, "-", "_" or "$" (RFC 7643 §2.1)`,
      );
    }
    if (inValue && (path.uri !== undefined || path.sub !== undefined)) {
      this.fail(`expected a sub-attribute name inside "[...]" at offset ${tok.offset}${this.found(tok)}`);
    }
    return path;
  }

  /** Whether a `[` follows `tok` with no space between (RFC 7644 valuePath is `attrPath "[" …`). */
  private startsBracket(tok: Token): boolean {
    const next = this.peek();
    return next.kind === "[" && isAdjacent(tok, next);
  }

  private expectCloser(kind: ")" | "]" | "end", open?: Token): void {
    const tok = this.peek();
    if (tok.kind === kind) {
      this.pos++;
      return;
    }
    const want = kind === "end" ? `end of ${this.noun}` : `"${kind}"`;
    const unclosed = open ? ` (unclosed "${open.text}" at offset ${open.offset})` : "";
    this.fail(`expected "and", "or" or ${want} at offset ${tok.offset}${this.found(tok)}${unclosed}`);
  }

  private expectPatchEnd(): void {
    const tok = this.peek();
    if (tok.kind === "end") return;
    this.fail(
      `expected end of PATCH path at offset ${tok.offset}${this.found(tok)}; ` +
        "a path is attrPath or valuePath[.subAttr] (RFC 7644 §3.5.2)",
    );
  }

  /** Refuses to descend past MAX_FILTER_DEPTH (parentheses, `not` and value paths each add a level). */
  private enter(depth: number, tok: Token): void {
    if (depth > MAX_FILTER_DEPTH) {
      this.fail(
        `${this.noun} nests deeper than ${MAX_FILTER_DEPTH} levels (MAX_FILTER_DEPTH) at offset ${tok.offset}`,
      );
    }
  }

  private countTerm(tok: Token): void {
    this.terms++;
    if (this.terms > MAX_FILTER_TERMS) {
      this.fail(
        `${this.noun} has more than ${MAX_FILTER_TERMS} terms (MAX_FILTER_TERMS) at offset ${tok.offset}`,
      );
    }
  }

  private found(tok: Token): string {
    return tok.kind === "end" ? `, found end of ${this.noun}` : `, found ${echo(tok.text)}`;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const tok = this.peek();
    this.pos = Math.min(this.pos + 1, this.tokens.length - 1);
    return tok;
  }

  private fail(detail: string): never {
    throw badRequest(this.scimType, detail);
  }
}

function isKeyword(tok: Token, keyword: string): boolean {
  return tok.kind === "word" && tok.text.toLowerCase() === keyword;
}

function isOperator(tok: Token): boolean {
  if (tok.kind !== "word") return false;
  const lower = tok.text.toLowerCase();
  return lower === "pr" || COMPARE_OPS.has(lower);
}

function isAdjacent(left: Token, right: Token): boolean {
  return left.offset + left.text.length === right.offset;
}

/** Quotes client text for an error detail, cut to MAX_ECHO characters. */
function echo(text: string): string {
  return JSON.stringify(text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text);
}
