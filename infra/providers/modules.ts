/**
 * Module URLs the dynamic providers import at run time. The engine runs provider methods in a separate
 * process from serialized closures, so they capture only these strings and `import()` src/entra there
 * (the pulumi/pulumi#18997 workaround); `.ts` when the program itself runs from TypeScript.
 */
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** URL of src/entra/job-resource. */
export const JOB_RESOURCE_MODULE = new URL(`../../src/entra/job-resource${ext}`, import.meta.url).href;

/** URL of src/entra/schema-resource. */
export const SCHEMA_RESOURCE_MODULE = new URL(`../../src/entra/schema-resource${ext}`, import.meta.url).href;

/** URL of src/entra/scimgate-tenant. */
export const TENANT_RESOURCE_MODULE = new URL(`../../src/entra/scimgate-tenant${ext}`, import.meta.url).href;

/** URL of src/entra/service-principal-info. */
export const SP_INFO_MODULE = new URL(`../../src/entra/service-principal-info${ext}`, import.meta.url).href;

/** URL of src/entra/signing-key. */
export const SIGNING_KEY_MODULE = new URL(`../../src/entra/signing-key${ext}`, import.meta.url).href;

/**
 * Native `import()` hidden from bundlers and test transformers, so the serialized closure carries no
 * transformer helper (vitest's would not serialize).
 */
const nativeImport = new Function("u", "return import(u)") as (url: string) => Promise<unknown>;

/** Returns a loader that imports `url` at run time in whichever process runs the provider. */
export function moduleLoader<T>(url: string): () => Promise<T> {
  return () => nativeImport(url) as Promise<T>;
}
