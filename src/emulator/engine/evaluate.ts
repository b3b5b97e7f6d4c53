/**
 * Evaluation of attribute-mapping sources against a source object. Functions follow Entra's
 * "Reference for writing expressions for attribute mappings"; an unknown function is an error the
 * cycle reports for that object (it never crashes the cycle).
 */
import type { MappingSource, SourceValue } from "./expressions.js";

/** Reads a source attribute by name (case-insensitive, as Entra's attribute names are). */
export type AttributeLookup = (name: string) => SourceValue;

type Fn = (args: SourceValue[], raw: MappingSource[]) => SourceValue;

function text(value: SourceValue): string | null {
  if (value === null) return null;
  return typeof value === "string" ? value : (value[0] ?? null);
}

function isEmpty(value: SourceValue): boolean {
  return value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

function bool(value: SourceValue): boolean {
  return text(value)?.toLowerCase() === "true";
}

const FUNCTIONS: Record<string, Fn> = {
  // Switch(source, defaultValue, key1, value1, key2, value2, …)
  Switch: ([source, fallback, ...pairs]) => {
    const s = text(source ?? null);
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (text(pairs[i] ?? null) === s) return pairs[i + 1] ?? null;
    }
    return isEmpty(fallback ?? null) ? null : (fallback ?? null);
  },
  // Join(separator, source1, source2, …): nulls and empties are skipped.
  Join: ([separator, ...sources]) => {
    const parts = sources.flatMap((v) => (v === null ? [] : typeof v === "string" ? [v] : [...v]));
    const kept = parts.filter((p) => p !== "");
    return kept.length === 0 ? null : kept.join(text(separator ?? null) ?? "");
  },
  Not: ([source]) => (bool(source ?? null) ? "False" : "True"),
  Append: ([source, suffix]) =>
    source == null ? null : `${text(source) ?? ""}${text(suffix ?? null) ?? ""}`,
  Coalesce: (args) => args.find((a) => !isEmpty(a)) ?? null,
  IIF: ([condition, yes, no]) => (bool(condition ?? null) ? (yes ?? null) : (no ?? null)),
  IsNull: ([source]) => (source === null ? "True" : "False"),
  IsNullOrEmpty: ([source]) => (isEmpty(source ?? null) ? "True" : "False"),
  IsPresent: ([source]) => (isEmpty(source ?? null) ? "False" : "True"),
  ToLower: ([source]) => text(source ?? null)?.toLowerCase() ?? null,
  ToUpper: ([source]) => text(source ?? null)?.toUpperCase() ?? null,
  StripSpaces: ([source]) => text(source ?? null)?.replaceAll(" ", "") ?? null,
  NormalizeDiacritics: ([source]) =>
    text(source ?? null)
      ?.normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "") ?? null,
  Mid: ([source, start, length]) => {
    const s = text(source ?? null);
    if (s === null) return null;
    const from = Number(text(start ?? null) ?? "1") - 1;
    return s.substr(Math.max(0, from), Number(text(length ?? null) ?? s.length));
  },
  Left: ([source, count]) => text(source ?? null)?.slice(0, Number(text(count ?? null) ?? "0")) ?? null,
  // Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)
  Replace: ([source, oldValue, pattern, , replacement]) => {
    const s = text(source ?? null);
    if (s === null) return null;
    const by = text(replacement ?? null) ?? "";
    const regex = text(pattern ?? null);
    if (regex) return s.replace(new RegExp(regex, "g"), by);
    const old = text(oldValue ?? null);
    return old ? s.replaceAll(old, by) : s;
  },
  // SelectUniqueValue checks candidates against the target; the emulator takes the first non-empty one.
  SelectUniqueValue: (args) => args.find((a) => !isEmpty(a)) ?? null,
};

/** Names of the expression functions the engine evaluates. */
export const SUPPORTED_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

/** Evaluates a mapping source; throws an Error naming an unsupported function. */
export function evaluateSource(source: MappingSource, lookup: AttributeLookup): SourceValue {
  if (source.type === "Attribute") return lookup(source.name ?? "");
  if (source.type === "Constant") return source.name === "" ? null : (source.name ?? null);
  const name = source.name ?? "";
  const fn =
    FUNCTIONS[name] ??
    FUNCTIONS[Object.keys(FUNCTIONS).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ""];
  if (!fn) throw new Error(`The function '${name}' is not supported by the emulator.`);
  const raw = (source.parameters ?? []).map((p) => p.value ?? { type: "Constant" as const, name: "" });
  return fn(
    raw.map((p) => evaluateSource(p, lookup)),
    raw,
  );
}
