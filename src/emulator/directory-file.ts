/**
 * The directory file of `scimgate simulate` and `scimgate emulator --directory` (YAML, validated with zod):
 * users, groups with members, assignments to the enterprise app, and scripted change steps.
 * See src/emulator/README.md for the format.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { USER_STRING_PROPERTIES } from "./directory.js";

const ref = z.string().min(1);
const userProps = Object.fromEntries(USER_STRING_PROPERTIES.map((k) => [k, z.string().optional()])) as Record<
  (typeof USER_STRING_PROPERTIES)[number],
  z.ZodOptional<z.ZodString>
>;

const userSchema = z
  .object({
    ...userProps,
    key: z.string().min(1).optional(),
    id: z.uuid().optional(),
    userPrincipalName: z
      .string()
      .min(3)
      .includes("@", { message: "userPrincipalName must look like user@domain" }),
    accountEnabled: z.boolean().default(true),
    manager: ref.optional(),
  })
  .strict();

const groupSchema = z
  .object({
    key: z.string().min(1).optional(),
    id: z.uuid().optional(),
    displayName: z.string().min(1),
    mailNickname: z.string().optional(),
    description: z.string().optional(),
    securityEnabled: z.boolean().default(true),
    members: z.array(ref).default([]),
  })
  .strict();

const userChange = <T extends string>(op: T) => z.object({ op: z.literal(op), user: ref }).strict();
const principalChange = <T extends string>(op: T) =>
  z
    .object({ op: z.literal(op), user: ref.optional(), group: ref.optional() })
    .strict()
    .refine((c) => (c.user === undefined) !== (c.group === undefined), {
      message: "give exactly one of `user` or `group`",
    });

const userUpdate = z
  .object({ ...userProps, accountEnabled: z.boolean().optional(), manager: ref.nullable().optional() })
  .strict();

const changeSchema = z.union([
  z.object({ op: z.literal("updateUser"), user: ref, set: userUpdate }).strict(),
  z.object({ op: z.literal("addUser"), user: userSchema }).strict(),
  z.object({ op: z.literal("addGroup"), group: groupSchema }).strict(),
  z.object({ op: z.literal("renameGroup"), group: ref, displayName: z.string().min(1) }).strict(),
  z.object({ op: z.literal("addMember"), group: ref, member: ref }).strict(),
  z.object({ op: z.literal("removeMember"), group: ref, member: ref }).strict(),
  principalChange("assign"),
  principalChange("unassign"),
  userChange("disableUser"),
  userChange("enableUser"),
  userChange("softDeleteUser"),
  userChange("restoreUser"),
  principalChange("hardDelete"),
]);

/** The directory file schema. */
export const directoryFileSchema = z
  .object({
    application: z
      .object({ displayName: z.string().min(1).default("scimgate") })
      .strict()
      .optional(),
    users: z.array(userSchema).default([]),
    groups: z.array(groupSchema).default([]),
    assignments: z
      .object({ users: z.array(ref).default([]), groups: z.array(ref).default([]) })
      .strict()
      .default({ users: [], groups: [] }),
    steps: z
      .array(z.object({ name: z.string().optional(), changes: z.array(changeSchema).min(1) }).strict())
      .default([]),
  })
  .strict();

/** A parsed directory file. */
export type DirectoryFile = z.infer<typeof directoryFileSchema>;
/** One scripted change. */
export type DirectoryChange = z.infer<typeof changeSchema>;
/** A user entry of the file. */
export type DirectoryFileUser = z.infer<typeof userSchema>;
/** A group entry of the file. */
export type DirectoryFileGroup = z.infer<typeof groupSchema>;

/** A directory-file problem, with the path of the offending entry. */
export class DirectoryFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DirectoryFileError";
  }
}

/** Validates a parsed YAML/JSON value as a directory file; throws DirectoryFileError naming each problem's path. */
export function parseDirectoryFile(raw: unknown): DirectoryFile {
  const parsed = directoryFileSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map(
    (i) => `  - ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`,
  );
  throw new DirectoryFileError(`invalid directory file:\n${lines.join("\n")}`);
}

/** Parses directory YAML text. */
export function parseDirectoryYaml(text: string): DirectoryFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new DirectoryFileError(`invalid YAML: ${(error as Error).message}`);
  }
  return parseDirectoryFile(raw);
}
