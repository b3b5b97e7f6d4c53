/** A local parser of Entra mapping expressions into attributeMappingSource trees (fallback for parseExpression). */
import type { Graph } from "./graph-client.js";
import { jobPath } from "./sync-job.js";
import type { MappingSource } from "./sync-types.js";

/** Parses `Fn([attr], "const", Fn2(...), )` into a source tree; parameters are positional. */
export function parseMappingExpression(text: string): MappingSource {
  let pos = 0;
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const arg = (): MappingSource | null => {
    skip();
    const ch = text[pos];
    if (ch === undefined || ch === "," || ch === ")") return null;
    if (ch === "[") {
      const end = text.indexOf("]", pos);
      if (end < 0) throw new Error(`missing "]" in expression ${text}`);
      const name = text.slice(pos + 1, end);
      pos = end + 1;
      return { expression: `[${name}]`, name, parameters: [], type: "Attribute" };
    }
    if (ch === '"') {
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(text.slice(pos));
      if (!m) throw new Error(`unterminated string in expression ${text}`);
      pos += m[0].length;
      return { expression: m[0], name: m[1]!.replace(/\\(.)/g, "$1"), parameters: [], type: "Constant" };
    }
    return fn();
  };
  const fn = (): MappingSource => {
    const start = pos;
    const m = /^([A-Za-z]\w*)\s*\(/.exec(text.slice(pos));
    if (!m) throw new Error(`unexpected "${text[pos]}" at ${pos} in expression ${text}`);
    pos += m[0].length;
    const parameters: { key: string; value: MappingSource }[] = [];
    for (let i = 0; ; i++) {
      const a = arg();
      if (a) parameters.push({ key: i === 0 ? "source" : `parameter${i}`, value: a });
      skip();
      if (text[pos] === ",") pos++;
      else if (text[pos] === ")") break;
      else throw new Error(`missing ")" in expression ${text}`);
    }
    pos++;
    return { expression: text.slice(start, pos), name: m[1]!, parameters, type: "Function" };
  };
  const out = arg();
  skip();
  if (!out || pos < text.length) throw new Error(`cannot parse expression ${text}`);
  return out;
}

/**
 * Parses expressions through Graph's `schema/parseExpression` (the service's own parameter names);
 * falls back to the local parser when the endpoint is unavailable.
 */
export async function parseExpressions(
  graph: Graph,
  spId: string,
  jobId: string,
  expressions: string[],
): Promise<Map<string, MappingSource>> {
  const out = new Map<string, MappingSource>();
  for (const expression of expressions) {
    try {
      const res = await graph.post<{ parsingSucceeded?: boolean; parsedExpression?: MappingSource | null }>(
        `${jobPath(spId, jobId)}/schema/parseExpression`,
        { expression },
      );
      if (res.parsingSucceeded === false)
        throw new Error(`Entra cannot parse the mapping expression ${expression}`);
      out.set(expression, res.parsedExpression ?? parseMappingExpression(expression));
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("Entra cannot parse")) throw err;
      out.set(expression, parseMappingExpression(expression));
    }
  }
  return out;
}
