/** Builds the demo Entra directory the sandbox seeds into the Graph emulator, from a stack's groups. */
import type { OnboardingPlan } from "./onboarding.js";

/** A directory user in the emulator's directory-file shape. */
export interface SandboxUser {
  key: string;
  id?: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string;
  surname: string;
  mail: string;
  mailNickname: string;
  jobTitle: string;
  department: string;
  companyName: string;
}

/** A directory group in the emulator's directory-file shape. */
export interface SandboxGroup {
  key: string;
  id?: string;
  displayName: string;
  members: string[];
}

const titleCase = (s: string) =>
  s.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash ? " " : ""}${c.toUpperCase()}`);

function user(key: string, domain: string, n: number, id?: string): SandboxUser {
  const givenName = titleCase(key.split("-")[0] ?? "user");
  return {
    key,
    ...(id ? { id } : {}),
    userPrincipalName: `${key}@${domain}`,
    displayName: `${givenName} ${n}`,
    givenName,
    surname: String(n),
    mail: `${key}@${domain}`,
    mailNickname: key,
    jobTitle: n % 2 ? "Engineer" : "Analyst",
    department: n % 2 ? "R&D" : "Sales",
    companyName: "Sandbox Ltd",
  };
}

/**
 * A directory where the stack's references exist: the members of groups it creates (by their ids),
 * two users in each existing group, and one unassigned user who must not be provisioned.
 */
export function buildSandboxDirectory(plan: Pick<OnboardingPlan, "tenant" | "groups">): {
  users: SandboxUser[];
  groups: SandboxGroup[];
} {
  const domain = `${plan.tenant.name.toLowerCase().replace(/[^a-z0-9]+/g, "") || "tenant"}.example`;
  const users: SandboxUser[] = [];
  const groups: SandboxGroup[] = [];
  const add = (key: string, id?: string): string => {
    users.push(user(key, domain, users.length + 1, id));
    return key;
  };
  for (const g of plan.groups) {
    if (g.create) {
      for (const [i, id] of g.members.entries()) add(`${g.key}-member-${i + 1}`, id);
      continue;
    }
    const members = [add(`${g.key}-1`), add(`${g.key}-2`)];
    groups.push({
      key: g.key,
      ...(g.objectId ? { id: g.objectId } : {}),
      displayName: g.displayName ?? titleCase(g.key),
      members,
    });
  }
  add("unassigned");
  return { users, groups };
}
