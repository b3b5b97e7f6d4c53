import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const ServiceConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z.string().min(1).default("sqlite:./data/scimgate.db"),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  TOKEN_PEPPER: z.string().min(32, "TOKEN_PEPPER must be at least 32 characters").optional(),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  PG_SSL: z.enum(["disable", "require", "verify-full"]).default("disable"),
  PG_PREPARED_STATEMENTS: z.enum(["on", "off"]).default("on"),
});

/** The service's settings, parsed once from the environment and frozen. */
export type ServiceConfig = Readonly<{
  port: number;
  host: string;
  databaseUrl: string;
  /** Base URL clients reach this service at, for the Tenant URL and `meta.location`; derived when unset. */
  publicUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Server-side key for hashing access keys; a random one is kept in the database when unset. */
  tokenPepper: string | undefined;
  maxBodyBytes: number;
  auditRetentionDays: number;
  pg: Readonly<{
    poolSize: number;
    statementTimeoutMs: number;
    ssl: "disable" | "require" | "verify-full";
    preparedStatements: boolean;
  }>;
}>;

/** Parses the environment into a frozen ServiceConfig; throws an error naming each bad variable. */
export function parseServiceConfig(env: Record<string, string | undefined>): ServiceConfig {
  const parsed = ServiceConfigSchema.safeParse(pickDefined(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    publicUrl: c.PUBLIC_URL?.replace(/\/+$/, ""),
    logLevel: c.LOG_LEVEL,
    tokenPepper: c.TOKEN_PEPPER,
    maxBodyBytes: c.MAX_BODY_BYTES,
    auditRetentionDays: c.AUDIT_RETENTION_DAYS,
    pg: Object.freeze({
      poolSize: c.PG_POOL_SIZE,
      statementTimeoutMs: c.PG_STATEMENT_TIMEOUT_MS,
      ssl: c.PG_SSL,
      preparedStatements: c.PG_PREPARED_STATEMENTS === "on",
    }),
  });
}

/** Empty variables count as unset, so `PORT=` falls back to the default. */
function pickDefined(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}
