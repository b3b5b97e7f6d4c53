/**
 * A small router over Graph path templates written exactly as the OpenAPI subset spells them
 * (`/servicePrincipals/{servicePrincipal-id}/…`, `/servicePrincipals(appId='{appId}')`), so each route knows
 * the OpenAPI operation its request body is validated against.
 */
import { GraphError, syncfabricNoResource } from "./graph-errors.js";

/** What a handler sees of a request. */
export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly url: string;
}

/** What a handler answers: a status, an optional JSON body, extra headers. */
export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route: method + OpenAPI path template + handler. `validate: false` skips OpenAPI body validation. */
export interface RouteDef {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  template: string;
  handler: (req: RouteRequest) => RouteResponse | Promise<RouteResponse>;
  validate?: boolean;
}

interface CompiledRoute extends RouteDef {
  regex: RegExp;
  names: string[];
}

function compile(route: RouteDef): CompiledRoute {
  const names: string[] = [];
  const source = route.template.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
    if (name) {
      names.push(name);
      return "([^/]+?)";
    }
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return { ...route, regex: new RegExp(`^${source}/?$`, "i"), names };
}

/** The match of a path against the route table. */
export type RouteMatch = { route: RouteDef; params: Record<string, string> };

/** Routes Graph paths (without the `/v1.0` prefix) to handlers. */
export class GraphRouter {
  private readonly routes: CompiledRoute[] = [];

  /** Adds routes; earlier routes win on ambiguity. */
  add(routes: readonly RouteDef[]): void {
    this.routes.push(...routes.map(compile));
  }

  /** Finds the route for a method and path, or throws Graph's answer for an unknown path or verb. */
  match(method: string, path: string): RouteMatch {
    let pathKnown = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathKnown = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeSegment(m[i + 1] ?? "");
      });
      return { route, params };
    }
    throw unmatched(method, path, pathKnown);
  }
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw).replace(/^'(.*)'$/, "$1");
  } catch {
    throw new GraphError(400, "BadRequest", `The path segment '${raw}' is not valid percent-encoding.`);
  }
}

function unmatched(method: string, path: string, pathKnown: boolean): GraphError {
  // The sync backend answers unknown routes/verbs with UnknownError + JSON Message (§2.2).
  if (/\/synchronization(\/|$)/i.test(path)) {
    return syncfabricNoResource(`https://syncfabric.windowsazure.com/api${path}?api-version=2.0`);
  }
  if (pathKnown) {
    return new GraphError(
      405,
      "Request_BadRequest",
      `Specified HTTP method '${method}' is not allowed for the request target.`,
    );
  }
  const segment = path.split("/").filter(Boolean).pop() ?? "";
  return new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
}
