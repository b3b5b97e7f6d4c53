import { createServer } from "node:http";
import Database from "better-sqlite3";

/**
 * The baseline: a bare node:http server that does one indexed SQLite point lookup per request (the
 * userName in the filter, on the same users table and index scimgate uses) and answers a fixed SCIM
 * ListResponse. No auth, no routing, no JSON parsing: the practical ceiling for this runtime.
 */
const file = process.env.BENCH_SQLITE_FILE;
const tenantId = process.env.BENCH_TENANT_ID ?? "";
if (!file) throw new Error("BENCH_SQLITE_FILE is not set");
const db = new Database(file, { readonly: true });
// The row id, which the userName index holds: one B-tree descent, as before migration 3 made users a rowid
// table (the index then held the (tenant_id, id) key). Selecting `id` would add a read of the user's row and
// make the baseline slower than it was, and every ratio to it look better than the work it measures.
const lookup = db.prepare("SELECT rowid FROM users WHERE tenant_id = ? AND user_name_lc = ?");
const BODY = JSON.stringify({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  totalResults: 0,
  startIndex: 1,
  itemsPerPage: 0,
  Resources: [],
});
const LENGTH = String(Buffer.byteLength(BODY));

const server = createServer((req, res) => {
  const url = req.url ?? "";
  const q = url.indexOf("%22");
  const value = q < 0 ? "" : decodeURIComponent(url.slice(q + 3, url.indexOf("%22", q + 3)));
  lookup.get(tenantId, value.toLowerCase());
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/scim+json", "content-length": LENGTH });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 120_000;
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  process.send?.({ port: typeof addr === "object" && addr ? addr.port : 0 });
});
// The bench asks each server to stop with a "stop" message (see processes.ts); without an answer to it, every
// stop waited out the 10 s before the bench's SIGKILL.
process.on("message", (m) => {
  if (m !== "stop") return;
  server.close();
  db.close();
  process.exit(0);
});
process.on("disconnect", () => process.exit(0));
