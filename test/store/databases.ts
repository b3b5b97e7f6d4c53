import { describe } from "vitest";
import { BACKENDS, type TestBackend } from "../helpers/backends.js";

export type { TestDatabase } from "../helpers/backends.js";

const found = BACKENDS.find((b) => b.name === "postgres");

/**
 * The PostgreSQL backend of the shared test helper, for suites that only make sense on PostgreSQL. When the
 * global setup found no server (outside CI only) it stands in with one that fails loudly if used; such
 * suites are declared with `describePostgres`, which skips them with the reason instead.
 */
export const POSTGRES: TestBackend = found ?? {
  name: "postgres",
  create: () =>
    Promise.reject(new Error(process.env.SCIMGATE_SKIP_POSTGRES ?? "PostgreSQL is not available")),
};

/** `describe` for PostgreSQL-only suites: skipped, with the reason in the name, when there is no server. */
export const describePostgres: typeof describe.skip = found
  ? describe
  : (((name: string, ...rest: unknown[]) =>
      (describe.skip as (n: string, ...r: unknown[]) => void)(
        `${name} [skipped: ${process.env.SCIMGATE_SKIP_POSTGRES}]`,
        ...rest,
      )) as typeof describe.skip);
