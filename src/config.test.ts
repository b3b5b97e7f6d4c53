import { describe, expect, it } from "vitest";
import { parseServiceConfig } from "./config.js";

describe("parseServiceConfig: PostgreSQL prepared statements", () => {
  it("prepares statements unless PG_PREPARED_STATEMENTS is off", () => {
    expect(parseServiceConfig({}).pg.preparedStatements).toBe(true);
    expect(parseServiceConfig({ PG_PREPARED_STATEMENTS: "on" }).pg.preparedStatements).toBe(true);
    expect(parseServiceConfig({ PG_PREPARED_STATEMENTS: "off" }).pg.preparedStatements).toBe(false);
  });

  it("names PG_PREPARED_STATEMENTS when its value is neither on nor off", () => {
    expect(() => parseServiceConfig({ PG_PREPARED_STATEMENTS: "false" })).toThrow(/PG_PREPARED_STATEMENTS/);
  });
});
