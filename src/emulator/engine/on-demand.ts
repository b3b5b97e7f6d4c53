/**
 * Provision on demand (graph-synchronization.md §1.9; entra-scim-client.md §3): one user, or one group with
 * up to five of its members, exported immediately; the answer is a `stringKeyStringValuePair` whose key and
 * value are JSON strings.
 */
import { badRequest, resourceNotFound } from "../graph-errors.js";
import { syncGroup, syncUser } from "./cycle.js";
import type { CycleRun } from "./cycle-context.js";
import type { ProvisioningRecord } from "./provisioning-log.js";
import { syncManager, syncMembers } from "./reference-sync.js";
import { ruleIds } from "./schema-model.js";

interface Subject {
  objectId?: string | null;
  objectTypeName?: string | null;
  links?: { members?: Subject[] } | null;
}

const MAX_MEMBERS = 5;

function parseRequest(run: CycleRun, body: unknown): { subject: Subject; type: "User" | "Group" } {
  const parameters =
    (body as { parameters?: { ruleId?: string | null; subjects?: Subject[] }[] }).parameters ?? [];
  const first = parameters[0];
  if (!first?.subjects?.length)
    throw badRequest("provisionOnDemand needs parameters[0].subjects with one subject.");
  if (!ruleIds(run.job.schema).includes(first.ruleId ?? ""))
    throw badRequest(`The ruleId '${first.ruleId ?? ""}' is not a rule of the job's schema.`);
  const subject = first.subjects[0]!;
  const type =
    subject.objectTypeName?.toLowerCase() === "group"
      ? "Group"
      : subject.objectTypeName?.toLowerCase() === "user"
        ? "User"
        : undefined;
  if (!type)
    throw badRequest(`objectTypeName '${subject.objectTypeName ?? ""}' is not supported; use User or Group.`);
  if ((subject.links?.members?.length ?? 0) > MAX_MEMBERS)
    throw badRequest(`At most ${MAX_MEMBERS} members can be provisioned on demand with a group.`);
  return { subject, type };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function onDemandValue(record: ProvisioningRecord | undefined, run: CycleRun) {
  const e = record?.entry;
  const failure = e?.provisioningStatusInfo.errorInformation;
  return {
    action: cap(e?.provisioningAction ?? "other"),
    changeId: e?.changeId ?? null,
    endTime: e?.activityDateTime ?? null,
    modifiedProperties: e?.modifiedProperties ?? [],
    provisioningSteps: (e?.provisioningSteps ?? []).map((s) => ({
      name: s.name,
      type: cap(s.provisioningStepType),
      status: cap(s.status),
      description: s.description,
      timestamp: e?.activityDateTime,
      details: s.details,
    })),
    reportableIdentifier: e?.sourceIdentity.displayName ?? null,
    startTime: e?.activityDateTime ?? null,
    statusInfo: {
      status: cap(e?.provisioningStatusInfo.status ?? "skipped"),
      errorCode: failure?.errorCode ?? null,
      reason: failure?.reason ?? null,
      additionalDetails: null,
      errorCategory: null,
      recommendedAction: null,
    },
    sourceIdentity: {
      id: e?.sourceIdentity.id ?? null,
      type: e?.sourceIdentity.identityType ?? null,
      displayName: null,
      details: null,
    },
    sourceSystem: { id: null, name: "Azure Active Directory", details: null },
    targetIdentity: {
      id: e?.targetIdentity.id ?? null,
      type: (e?.sourceIdentity.identityType === "Group" ? run.groups : run.users)?.targetObjectName ?? null,
      displayName: null,
      details: null,
    },
    targetSystem: { id: null, name: "customappsso", details: null },
  };
}

function onDemandKey(record: ProvisioningRecord | undefined) {
  const info = record?.entry.provisioningStatusInfo;
  if (!record || info?.status === "skipped") {
    return {
      result: "Skipped",
      details: {
        errorCode: "RedundantExport",
        errorMessage: "The state of the object in both the source and target systems already match.",
      },
    };
  }
  if (info?.status === "failure")
    return {
      result: "Failure",
      details: { errorCode: info.errorInformation?.errorCode, errorMessage: info.errorInformation?.reason },
    };
  return { result: "Success", details: {} };
}

/** Runs provision on demand for the request body and returns Graph's response payload. */
export async function runOnDemand(run: CycleRun, body: unknown): Promise<Record<string, unknown>> {
  const { subject, type } = parseRequest(run, body);
  const id = subject.objectId ?? "";
  const dir = run.state.directory;
  if (type === "User") {
    const user = dir.users.get(id);
    if (!user) throw resourceNotFound(id);
    await syncUser(run, id);
    const anchor = run.job.engine.anchors.get(id);
    if (anchor && !run.quarantine) await syncManager(run, user, anchor);
  } else {
    if (!dir.groups.has(id)) throw resourceNotFound(id);
    const members = (subject.links?.members ?? []).map((m) => m.objectId ?? "");
    for (const member of members) if (dir.users.has(member)) await syncUser(run, member);
    await syncGroup(run, id);
    const anchor = run.job.engine.anchors.get(id);
    if (anchor && members.length > 0) await syncMembers(run, dir.group(id), anchor, new Set(members));
  }
  const primary = run.records.find((r) => r.entry.sourceIdentity.id === id);
  return {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
    key: JSON.stringify(onDemandKey(primary)),
    value: JSON.stringify(onDemandValue(primary, run)),
  };
}
