import { z } from "zod";

/** One admin route as documented: method, path (OpenAPI `{param}` form), schemas. */
export interface RouteDoc {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  readonly response?: z.ZodType;
  /** Success status; 200 when unset. */
  readonly status?: number;
}

const ERROR_SCHEMA = {
  type: "object",
  required: ["status", "error", "detail"],
  properties: { status: { type: "integer" }, error: { type: "string" }, detail: { type: "string" } },
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
}

function operation(r: RouteDoc): Record<string, unknown> {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const query = r.query
    ? Object.entries(r.query.shape).map(([name, s]) => ({
        name,
        in: "query",
        required: false,
        schema: jsonSchema(s as z.ZodType, "input"),
      }))
    : [];
  const status = String(r.status ?? 200);
  return {
    summary: r.summary,
    parameters: [...params, ...query],
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(r.body, "input") } },
          },
        }
      : {}),
    responses: {
      [status]: r.response
        ? { description: "OK", content: { "application/json": { schema: jsonSchema(r.response, "output") } } }
        : { description: "No Content" },
      default: { description: "Error", content: { "application/json": { schema: ERROR_SCHEMA } } },
    },
  };
}

/** Builds the OpenAPI 3.1 document of the admin API from its route table. */
export function buildOpenApi(prefix: string, routes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const key = `${prefix}${r.path}`;
    paths[key] = { ...(paths[key] ?? {}), [r.method.toLowerCase()]: operation(r) };
  }
  return {
    openapi: "3.1.0",
    info: { title: "scimgate admin API", version: "1" },
    components: {
      securitySchemes: {
        managementKey: { type: "http", scheme: "bearer", description: "<ProjectID>:<management key>" },
      },
    },
    security: [{ managementKey: [] }],
    paths,
  };
}
