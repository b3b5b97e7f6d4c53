/**
 * GET /auditLogs/provisioning (graph-synchronization.md §1.11): newest first, `$top`, `$skiptoken` paging
 * with `@odata.nextLink`, and `$filter` with `eq` clauses on entry properties (e.g. `jobId`,
 * `provisioningAction`, `servicePrincipal/id`, `provisioningStatusInfo/status`).
 */
import type { EmulatorContext } from "../context.js";
import { badRequest, resourceNotFound } from "../graph-errors.js";
import { matchesEq, parseEqFilter } from "../odata-filter.js";
import type { RouteDef, RouteRequest } from "../router.js";

const DEFAULT_PAGE = 100;

function page(ctx: EmulatorContext, req: RouteRequest) {
  const clauses = parseEqFilter(req.query.$filter);
  const top = req.query.$top === undefined ? DEFAULT_PAGE : Number(req.query.$top);
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    throw badRequest("Invalid $top value: use an integer between 1 and 1000.");
  const skip = req.query.$skiptoken === undefined ? 0 : Number(req.query.$skiptoken);
  if (!Number.isInteger(skip) || skip < 0) throw badRequest("Invalid $skiptoken.");
  const all = ctx.state.provisioningLogs
    .map((r) => r.entry)
    .filter((e) => matchesEq(e, clauses))
    .reverse();
  const value = all.slice(skip, skip + top);
  const body: Record<string, unknown> = {
    "@odata.context": `${ctx.graphUrl()}/$metadata#auditLogs/provisioning`,
    value,
  };
  if (skip + top < all.length) {
    const params = new URLSearchParams({ ...req.query, $top: String(top), $skiptoken: String(skip + top) });
    body["@odata.nextLink"] = `${ctx.graphUrl()}/auditLogs/provisioning?${params.toString()}`;
  }
  return { status: 200, body };
}

/** Routes for the provisioning logs. */
export function buildAuditRoutes(ctx: EmulatorContext): RouteDef[] {
  return [
    { method: "GET", template: "/auditLogs/provisioning", handler: (req) => page(ctx, req) },
    {
      method: "GET",
      template: "/auditLogs/provisioning/{provisioningObjectSummary-id}",
      handler: ({ params }) => {
        const id = params["provisioningObjectSummary-id"]!;
        const entry = ctx.state.provisioningLogs.find((r) => r.entry.id === id)?.entry;
        if (!entry) throw resourceNotFound(id);
        return { status: 200, body: entry };
      },
    },
  ];
}
