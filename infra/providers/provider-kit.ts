/** Small helpers shared by the dynamic providers (kept free of Pulumi runtime imports so they serialize). */

/** The engine's placeholder for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when any value in `o` (deeply) is still unknown, i.e. during preview. */
export function hasUnknowns(o: unknown): boolean {
  if (o === UNKNOWN) return true;
  if (Array.isArray(o)) return o.some(hasUnknowns);
  if (o && typeof o === "object") return Object.values(o).some(hasUnknowns);
  return false;
}

/** A read result telling the engine the resource no longer exists. */
export const GONE: { id: string } = { id: "" };

/** Input types of a dynamic resource: every field may be an Output. */
export type InputsOf<T> = { [K in keyof T]: T[K] | import("@pulumi/pulumi").Input<T[K]> };

/** True for an error carrying HTTP status 404 (Graph or the admin API): the resource is gone. */
export function isNotFound(err: unknown): boolean {
  return !!err && typeof err === "object" && (err as { status?: unknown }).status === 404;
}
