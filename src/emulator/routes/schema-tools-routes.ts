/**
 * Schema helpers of a job (graph-synchronization.md §1.10 "Other schema operations"): the expression
 * functions and scoping operators the engine supports, and `parseExpression` to try an expression
 * against a test object.
 */
import type { EmulatorContext } from "../context.js";
import { evaluateSource, SUPPORTED_FUNCTIONS } from "../engine/evaluate.js";
import { parseExpression } from "../engine/expressions.js";
import { SUPPORTED_SCOPE_OPERATORS } from "../engine/source-objects.js";
import type { RouteDef, RouteRequest } from "../router.js";
import type { SyncJob } from "../state.js";

const SCHEMA = "/servicePrincipals/{servicePrincipal-id}/synchronization/jobs/{synchronizationJob-id}/schema";

function functionSchemas() {
  return SUPPORTED_FUNCTIONS.map((name) => ({
    id: name,
    parameters: [
      {
        allowMultipleOccurrences: ["Join", "Coalesce", "Switch", "SelectUniqueValue"].includes(name),
        name: "source",
        required: true,
        type: "String",
      },
    ],
  }));
}

function operatorSchemas() {
  return SUPPORTED_SCOPE_OPERATORS.map((name) => ({
    id: name,
    arity: ["IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL"].includes(name) ? "Unary" : "Binary",
    multivaluedComparisonType: "All",
    supportedAttributeTypes: ["String", "Integer", "Boolean"],
  }));
}

interface ParseBody {
  expression?: string | null;
  testInputObject?: { properties?: { key?: string | null; value?: unknown }[] } | null;
}

function lookupFrom(body: ParseBody) {
  const values = new Map<string, string>();
  for (const p of body.testInputObject?.properties ?? []) {
    if (p.key && p.value !== undefined && p.value !== null) values.set(p.key.toLowerCase(), String(p.value));
  }
  return (name: string) => values.get(name.toLowerCase()) ?? null;
}

/** parseExpression: parses, then evaluates against `testInputObject.properties` when given. */
function parse(body: ParseBody) {
  const failure = (code: string, message: string, parsed: unknown, parsingSucceeded: boolean) => ({
    error: { code, message, details: [], innerError: null, target: null },
    evaluationResult: [],
    evaluationSucceeded: false,
    parsedExpression: parsed,
    parsingSucceeded,
  });
  let parsed: ReturnType<typeof parseExpression>;
  try {
    parsed = parseExpression(body.expression ?? "");
  } catch (error) {
    return failure("ExpressionParsingFailed", (error as Error).message, null, false);
  }
  if (!body.testInputObject)
    return {
      error: null,
      evaluationResult: [],
      evaluationSucceeded: false,
      parsedExpression: parsed,
      parsingSucceeded: true,
    };
  try {
    const value = evaluateSource(parsed, lookupFrom(body));
    const evaluationResult = value === null ? [] : typeof value === "string" ? [value] : [...value];
    return {
      error: null,
      evaluationResult,
      evaluationSucceeded: true,
      parsedExpression: parsed,
      parsingSucceeded: true,
    };
  } catch (error) {
    return failure("ExpressionEvaluationFailed", (error as Error).message, parsed, true);
  }
}

/** Routes for functions(), filterOperators() and parseExpression on a job schema (the job must exist). */
export function buildSchemaToolRoutes(
  _ctx: EmulatorContext,
  job: (req: RouteRequest) => SyncJob,
): RouteDef[] {
  const withJob = (answer: (req: RouteRequest) => unknown) => (req: RouteRequest) => {
    job(req);
    return { status: 200, body: answer(req) };
  };
  return [
    {
      method: "GET",
      template: `${SCHEMA}/functions()`,
      handler: withJob(() => ({ value: functionSchemas() })),
    },
    {
      method: "GET",
      template: `${SCHEMA}/filterOperators()`,
      handler: withJob(() => ({ value: operatorSchemas() })),
    },
    {
      method: "POST",
      template: `${SCHEMA}/parseExpression`,
      handler: withJob((req) => parse(req.body as ParseBody)),
    },
  ];
}
