import { BACKENDS, type TestBackend } from "../helpers/backends.js";

export type { TestDatabase } from "../helpers/backends.js";

/** The PostgreSQL backend of the shared test helper, for suites that only make sense on PostgreSQL. */
export const POSTGRES: TestBackend = BACKENDS.find((b) => b.name === "postgres")!;
