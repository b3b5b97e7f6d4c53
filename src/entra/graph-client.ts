/** Microsoft Graph access for scimgate: base URL, credential or token, fetch and retries all injectable. */
import type { TokenCredential } from "@azure/identity";
import { Client, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { backoffDelay, parseRetryAfter, type RetryPolicy, resolveRetryPolicy } from "./retry.js";

/** Graph base URL of the global cloud, with its API version. */
export const GLOBAL_GRAPH_URL = "https://graph.microsoft.com/v1.0";

/** Graph base URLs of the national clouds, by the name used in stack config. */
export const GRAPH_CLOUDS = {
  global: GLOBAL_GRAPH_URL,
  usgov: "https://graph.microsoft.us/v1.0",
  usgovdod: "https://dod-graph.microsoft.us/v1.0",
  china: "https://microsoftgraph.chinacloudapi.cn/v1.0",
} as const;

/** HTTP statuses Graph asks clients to retry after a pause (throttling docs: 429, 503, 504). */
const THROTTLE_STATUSES = new Set([429, 503, 504]);

/** One failed Graph request, carrying Graph's own error code and message. */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly graphMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`Graph ${method} ${path} failed: ${status} ${code}: ${graphMessage}`);
    this.name = "GraphRequestError";
  }
}

/** Options of a Graph client. */
export interface GraphClientOptions {
  /** Graph base URL including the version, e.g. https://graph.microsoft.com/v1.0 (default) or the emulator's. */
  graphUrl?: string;
  /** Azure credential; the token scope is `<graph origin>/.default`. */
  credential?: TokenCredential;
  /** A pre-acquired bearer token, used instead of a credential. */
  token?: string;
  /** fetch implementation (default global fetch). */
  fetch?: typeof fetch;
  /** Throttling retry policy (429/503/504, honouring Retry-After). */
  retry?: RetryPolicy;
}

/** The small Graph surface scimgate uses; paths are relative to the versioned base URL. */
export interface Graph {
  /** Versioned base URL this client talks to. */
  readonly graphUrl: string;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body: unknown): Promise<T>;
  patch<T = unknown>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
}

/** Splits a versioned Graph URL into the base and the version segment. */
export function splitGraphUrl(graphUrl: string): { baseUrl: string; version: string } {
  const trimmed = graphUrl.replace(/\/+$/, "");
  const m = /^(.*)\/(v1\.0|beta)$/.exec(trimmed);
  if (!m) return { baseUrl: trimmed, version: "v1.0" };
  return { baseUrl: m[1]!, version: m[2]! };
}

/** The OAuth scope for a Graph base URL: its origin plus `/.default`. */
export function graphScope(graphUrl: string): string {
  return `${new URL(graphUrl).origin}/.default`;
}

function setHeader(ctx: Context, name: string, value: string): void {
  ctx.options ??= {};
  const h = ctx.options.headers;
  if (h instanceof Headers) h.set(name, value);
  else ctx.options.headers = { ...(h as Record<string, string> | undefined), [name]: value };
}

/** Adds the bearer token to every request (the library's own handler skips non-Graph and http:// hosts). */
class BearerMiddleware implements Middleware {
  private next?: Middleware;
  constructor(private readonly getToken: () => Promise<string | undefined>) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(ctx: Context): Promise<void> {
    const token = await this.getToken();
    if (token) setHeader(ctx, "Authorization", `Bearer ${token}`);
    await this.next!.execute(ctx);
  }
}

/** Retries throttled requests, waiting for Retry-After (seconds or HTTP-date) or exponential backoff. */
class ThrottleRetryMiddleware implements Middleware {
  private next?: Middleware;
  constructor(private readonly policy: RetryPolicy) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(ctx: Context): Promise<void> {
    const p = resolveRetryPolicy(this.policy);
    for (let attempt = 0; ; attempt++) {
      await this.next!.execute(ctx);
      const res = ctx.response;
      if (!res || !THROTTLE_STATUSES.has(res.status) || attempt >= p.retries) return;
      const hinted = parseRetryAfter(res.headers.get("Retry-After"));
      await p.sleep(Math.min(p.maxDelayMs, hinted ?? backoffDelay(attempt, p)));
    }
  }
}

/** Terminal middleware: sends the request with the injected fetch. */
class FetchMiddleware implements Middleware {
  constructor(private readonly fetchImpl: typeof fetch) {}
  async execute(ctx: Context): Promise<void> {
    ctx.response = await this.fetchImpl(ctx.request as string, ctx.options as RequestInit);
  }
}

function tokenSource(opts: GraphClientOptions, scope: string): () => Promise<string | undefined> {
  if (opts.token) return async () => opts.token;
  const cred = opts.credential;
  if (!cred) return async () => undefined;
  return async () => {
    const t = await cred.getToken(scope);
    if (!t) throw new Error(`the Azure credential returned no token for ${scope}`);
    return t.token;
  };
}

/** Converts whatever the Graph library threw into a GraphRequestError. */
export function toGraphRequestError(err: unknown, method: string, path: string): unknown {
  if (err instanceof GraphRequestError) return err;
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e.statusCode !== "number" || e.statusCode <= 0) return err;
  const code = typeof e.code === "string" && e.code ? e.code : `HTTP${e.statusCode}`;
  return new GraphRequestError(e.statusCode, code, String(e.message ?? ""), method, path);
}

/** Creates a Graph client on @microsoft/microsoft-graph-client with scimgate's middleware chain. */
export function createGraphClient(opts: GraphClientOptions = {}): Graph {
  const graphUrl = opts.graphUrl ?? GLOBAL_GRAPH_URL;
  const { baseUrl, version } = splitGraphUrl(graphUrl);
  const auth = new BearerMiddleware(tokenSource(opts, graphScope(graphUrl)));
  const retry = new ThrottleRetryMiddleware(opts.retry ?? {});
  const send = new FetchMiddleware(opts.fetch ?? globalThis.fetch.bind(globalThis));
  auth.setNext(retry);
  retry.setNext(send);
  const client = Client.initWithMiddleware({ baseUrl, defaultVersion: version, middleware: auth });
  const call = async <T>(method: string, path: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw toGraphRequestError(err, method, path);
    }
  };
  return {
    graphUrl,
    get: (path) => call("GET", path, () => client.api(path).get()),
    post: (path, body) => call("POST", path, () => client.api(path).post(body ?? {})),
    put: (path, body) => call("PUT", path, () => client.api(path).put(body)),
    patch: (path, body) => call("PATCH", path, () => client.api(path).patch(body)),
    delete: (path) => call("DELETE", path, () => client.api(path).delete()),
  };
}

/** True when `err` is a Graph error with one of the given HTTP statuses. */
export function hasGraphStatus(err: unknown, ...statuses: number[]): boolean {
  return err instanceof GraphRequestError && statuses.includes(err.status);
}
