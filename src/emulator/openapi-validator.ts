/**
 * Request-body validation against Microsoft's published Graph schema subset (graph-synchronization.md §3),
 * vendored as `graph-openapi.json`. The generated OpenAPI is looser than the live service in three ways that
 * would make it accept bodies Graph refuses, so the schemas are tightened once at load time:
 * - OData types are closed (unless marked open): an unknown property is refused ("does not exist on type"),
 *   `@odata.*` annotations pass;
 * - `anyOf [$ref, {type: object, nullable: true}]` means "the type or null", not "any object";
 * - flags enums (`x-ms-enum-flags`) travel as comma+space lists of member names (§1.7), e.g. "Watermark, Escrows".
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import spec from "./graph-openapi.json" with { type: "json" };

type Json = Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const SPEC_ID = "graph-openapi.json";

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refName(ref: string): string {
  return ref.replace("#/components/schemas/", "");
}

/** Merges `allOf` chains (entity → directoryObject → …) into one closed object schema. */
function flattenAllOf(schema: Json, schemas: Record<string, Json>): Json {
  if (!Array.isArray(schema.allOf)) return schema;
  const merged: Json = { type: "object", properties: {} as Json, required: [] as string[] };
  for (const part of schema.allOf as Json[]) {
    const resolved = typeof part.$ref === "string" ? schemas[refName(part.$ref)] : part;
    if (!resolved) continue;
    const flat = flattenAllOf(resolved, schemas);
    Object.assign(merged.properties as Json, flat.properties ?? {});
    (merged.required as string[]).push(...((flat.required as string[] | undefined) ?? []));
    if (typeof flat.title === "string") merged.title = flat.title;
    if (flat["x-csdl-openType"]) merged["x-csdl-openType"] = true;
  }
  return merged;
}

function isBareNullableObject(schema: unknown): boolean {
  return isObject(schema) && schema.type === "object" && schema.nullable === true && !schema.properties;
}

function flagsPattern(members: string[]): string {
  const alt = `(${members.map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`;
  return `^${alt}(, ?${alt})*$`;
}

/** Applies the three tightenings to one schema node, recursively. */
function tighten(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tighten);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "discriminator") continue;
    out[key] = tighten(value);
  }
  if (Array.isArray(out.anyOf)) {
    out.anyOf = (out.anyOf as unknown[]).map((s) => (isBareNullableObject(s) ? { type: "null" } : s));
  }
  if (out["x-ms-enum-flags"] && Array.isArray(out.enum)) {
    out.pattern = flagsPattern(out.enum as string[]);
    delete out.enum;
  }
  // Open types (x-csdl-openType, e.g. stringKeyObjectValuePair) accept dynamic properties.
  if (isObject(out.properties) && out.additionalProperties === undefined && !out["x-csdl-openType"]) {
    out.additionalProperties = false;
    out.patternProperties = { "^@odata\\.": {} };
  }
  if (typeof out.$ref === "string" && out.$ref.startsWith("#/")) out.$ref = `${SPEC_ID}${out.$ref}`;
  return out;
}

function buildSpecSchema(): Json {
  const source = spec as unknown as { components: { schemas: Record<string, Json> } };
  const schemas: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(source.components.schemas)) {
    const flat = flattenAllOf(schema, source.components.schemas);
    schemas[name] = tighten({ ...flat, title: flat.title ?? name, "x-type-name": name }) as Json;
  }
  return { $id: SPEC_ID, components: { schemas } };
}

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true, verbose: true });
  addFormats(ajv);
  // Graph durations carry fractional seconds (TimeSpan.MaxValue, §1.4), which RFC 3339's grammar lacks.
  ajv.addFormat("duration", /^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/);
  ajv.addFormat("base64url", /^[A-Za-z0-9_-]*={0,2}$/);
  ajv.addSchema(buildSpecSchema());
  return ajv;
}

/** The outcome of validating one request body. */
export type BodyCheck = { ok: true } | { ok: false; message: string };

interface Operation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

/** Validates request bodies for the operations of the vendored Graph OpenAPI subset. */
export class GraphRequestValidator {
  private readonly ajv = createAjv();
  private readonly cache = new Map<string, ValidateFunction | null>();

  /** Validates `body` for `method` on an OpenAPI path template; operations without a request body accept anything. */
  validate(method: string, openapiPath: string, body: unknown): BodyCheck {
    const op = (spec as unknown as { paths: Record<string, Record<string, Operation>> }).paths[openapiPath]?.[
      method.toLowerCase()
    ];
    if (!op?.requestBody) return { ok: true };
    if (body === undefined || body === null) {
      return op.requestBody.required
        ? { ok: false, message: "Empty Payload. JSON content expected." }
        : { ok: true };
    }
    const validate = this.compile(`${method} ${openapiPath}`, op);
    if (!validate || validate(body)) return { ok: true };
    return { ok: false, message: describeError(validate.errors?.[0]) };
  }

  private compile(key: string, op: Operation): ValidateFunction | null {
    if (!this.cache.has(key)) {
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      this.cache.set(key, schema ? this.ajv.compile(tighten(schema) as Json) : null);
    }
    return this.cache.get(key) ?? null;
  }
}

/** Turns the first ajv error into an OData-style message naming the JSON path. */
function describeError(error: ErrorObject | undefined): string {
  if (!error) return "The request body is invalid.";
  const where = error.instancePath || "/";
  const typeName = error.parentSchema?.["x-type-name"] as string | undefined;
  switch (error.keyword) {
    case "additionalProperties": {
      const prop = String(error.params.additionalProperty);
      if (!typeName) return `Invalid property '${prop}' at '${where}': the action does not accept it.`;
      return `Property '${prop}' does not exist on type '${qualified(typeName)}'. Make sure to only use property names that are defined by the type.`;
    }
    case "enum":
    case "pattern":
      return `Requested value at '${where}' was not found: ${error.message ?? "invalid value"}.`;
    case "type":
      return `Cannot convert the value at '${where}' to the expected type: ${error.message ?? ""}.`;
    default:
      return `Invalid value at '${where}': ${error.message ?? "invalid"}.`;
  }
}

function qualified(name: string): string {
  return name.startsWith("microsoft.graph.") ? name : `microsoft.graph.${name}`;
}
