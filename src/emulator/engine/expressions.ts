/**
 * Entra attribute-mapping expressions: the `attributeMappingSource` tree (graph-synchronization.md §1.10:
 * `Attribute`, `Constant`, `Function` with positional `parameters`) and the expression text it is written
 * as in the portal, e.g. `Switch([IsSoftDeleted], , "False", "True", "True", "False")`.
 */

/** The attributeMappingSource of the Graph schema. */
export interface MappingSource {
  expression?: string | null;
  name?: string | null;
  type: "Attribute" | "Constant" | "Function";
  parameters?: { key?: string | null; value?: MappingSource | null }[];
}

/** A source attribute value as the engine reads it: a string, a list (references), or absent. */
export type SourceValue = string | readonly string[] | null;

/** Positional parameter names Graph uses for the common functions (the docs' `Mid` sample names them). */
const PARAMETER_NAMES: Record<string, readonly string[]> = {
  Switch: ["source", "defaultValue"],
  Join: ["separator"],
  Mid: ["source", "start", "length"],
  IIF: ["condition", "valueIfTrue", "valueIfFalse"],
  Replace: [
    "source",
    "oldValue",
    "regexPattern",
    "regexGroupName",
    "replacementValue",
    "replacementAttributeName",
    "template",
  ],
  Left: ["String", "NumChars"],
  Append: ["source", "suffix"],
};

function parameterName(fn: string, index: number): string {
  const names = PARAMETER_NAMES[fn] ?? [];
  if (index < names.length) return names[index]!;
  if (fn === "Switch") return (index - names.length) % 2 === 0 ? "key" : "value";
  return fn === "Join" || fn === "Coalesce" ? "source" : index === 0 ? "source" : `parameter${index}`;
}

/** Parses expression text into the structured source Graph stores; throws a message on bad syntax. */
export function parseExpression(text: string): MappingSource {
  const parser = new ExpressionParser(text);
  const source = parser.parseArgument();
  parser.expectEnd();
  if (!source) throw new Error("The expression is empty.");
  return source;
}

class ExpressionParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  expectEnd(): void {
    this.skipSpace();
    if (this.pos < this.text.length) throw new Error(`Unexpected '${this.text[this.pos]}' at ${this.pos}.`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  /** One argument: `[attr]`, `"constant"`, `Fn(...)`, or nothing (an empty positional argument). */
  parseArgument(): MappingSource | null {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === undefined || ch === "," || ch === ")") return null;
    if (ch === "[") return this.parseAttribute();
    if (ch === '"') return this.parseConstant();
    if (/[-\d]/.test(ch)) return this.parseNumber();
    return this.parseFunction();
  }

  private parseAttribute(): MappingSource {
    const end = this.text.indexOf("]", this.pos);
    if (end < 0) throw new Error("Missing ']' after an attribute name.");
    const name = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return { expression: `[${name}]`, name, parameters: [], type: "Attribute" };
  }

  private parseConstant(): MappingSource {
    let value = "";
    this.pos++;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++]!;
      if (ch === "\\" && this.pos < this.text.length) value += this.text[this.pos++];
      else if (ch === '"')
        return { expression: JSON.stringify(value), name: value, parameters: [], type: "Constant" };
      else value += ch;
    }
    throw new Error("Unterminated string constant.");
  }

  /** Bare numbers are constants: the docs' `Mid([userPrincipalName], 1, 8)` (graph-synchronization.md §1.10). */
  private parseNumber(): MappingSource {
    const match = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`Unexpected '${this.text[this.pos]}' at ${this.pos}.`);
    this.pos += match[0].length;
    return { expression: JSON.stringify(match[0]), name: match[0], parameters: [], type: "Constant" };
  }

  private parseFunction(): MappingSource {
    const start = this.pos;
    const match = /^[A-Za-z][A-Za-z0-9]*/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`Unexpected '${this.text[this.pos]}' at ${this.pos}.`);
    const name = match[0];
    this.pos += name.length;
    this.skipSpace();
    if (this.text[this.pos] !== "(") throw new Error(`Expected '(' after function ${name}.`);
    this.pos++;
    const args: (MappingSource | null)[] = [];
    for (;;) {
      args.push(this.parseArgument());
      this.skipSpace();
      const ch = this.text[this.pos++];
      if (ch === ")") break;
      if (ch !== ",") throw new Error(`Expected ',' or ')' in ${name}(...).`);
    }
    const parameters = args.map((value, i) => ({ key: parameterName(name, i), value: value ?? EMPTY }));
    const expression = this.text.slice(start, this.pos);
    return {
      expression,
      name,
      parameters: args.length === 1 && args[0] === null ? [] : parameters,
      type: "Function",
    };
  }
}

const EMPTY: MappingSource = { expression: "", name: "", parameters: [], type: "Constant" };

/** Renders a structured source back to expression text (used when a PUT schema omits `expression`). */
export function formatExpression(source: MappingSource): string {
  if (source.type === "Attribute") return `[${source.name ?? ""}]`;
  if (source.type === "Constant") return source.name ? JSON.stringify(source.name) : "";
  const args = (source.parameters ?? []).map((p) => (p.value ? formatExpression(p.value) : ""));
  return `${source.name ?? ""}(${args.join(", ")})`;
}
