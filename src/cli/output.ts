/** Writes a line to standard output (the CLI's only way to print; src never uses console.*). */
export function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Writes a line to standard error. */
export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Renders rows as an aligned plain-text table with a header row. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (c ?? "").padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Prints JSON (for `--json`) or a table. */
export function print(
  json: boolean,
  value: unknown,
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): void {
  out(json ? JSON.stringify(value, null, 2) : table(headers, rows));
}
