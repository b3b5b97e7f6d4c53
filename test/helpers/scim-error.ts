import { SCIMError } from "../../src/scim/errors.js";

/** Runs `fn`, expecting it to throw a SCIMError; returns that error for assertions (other errors propagate). */
export function catchSCIMError(fn: () => unknown): SCIMError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SCIMError) return e;
    throw e;
  }
  throw new Error("expected a SCIMError, but nothing was thrown");
}

/** The SCIM error body's fields of what `fn` throws (see catchSCIMError), for `toEqual`/`toMatchObject`. */
export function scimErrorFields(fn: () => unknown) {
  const e = catchSCIMError(fn);
  return { status: e.status, scimType: e.scimType, detail: e.detail };
}
