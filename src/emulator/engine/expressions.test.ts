import { describe, expect, it } from "vitest";
import { evaluateSource } from "./evaluate.js";
import { formatExpression, parseExpression } from "./expressions.js";

const lookup = (values: Record<string, string | null>) => (name: string) => values[name] ?? null;

describe("parseExpression", () => {
  it("builds the structured Mid source of the Graph docs sample", () => {
    expect(parseExpression("Mid([userPrincipalName], 1, 8)")).toEqual({
      expression: "Mid([userPrincipalName], 1, 8)",
      name: "Mid",
      type: "Function",
      parameters: [
        {
          key: "source",
          value: {
            expression: "[userPrincipalName]",
            name: "userPrincipalName",
            parameters: [],
            type: "Attribute",
          },
        },
        { key: "start", value: { expression: '"1"', name: "1", parameters: [], type: "Constant" } },
        { key: "length", value: { expression: '"8"', name: "8", parameters: [], type: "Constant" } },
      ],
    });
  });

  it("keeps Switch's empty default argument as an empty constant", () => {
    const source = parseExpression('Switch([IsSoftDeleted], , "False", "True", "True", "False")');
    expect(source.parameters?.map((p) => p.key)).toEqual([
      "source",
      "defaultValue",
      "key",
      "value",
      "key",
      "value",
    ]);
    expect(source.parameters?.[1]?.value).toMatchObject({ type: "Constant", name: "" });
  });

  it.each(["Join(", '"unterminated', "[attr", "Not([a]) extra"])("refuses malformed text %s", (text) => {
    expect(() => parseExpression(text)).toThrow();
  });

  it("round-trips through formatExpression", () => {
    const text = 'Join(" ", [givenName], [surname])';
    expect(formatExpression(parseExpression(text))).toBe(text);
  });
});

describe("evaluateSource", () => {
  const active = parseExpression('Switch([IsSoftDeleted], , "False", "True", "True", "False")');

  it.each([
    ["False", "True"],
    ["True", "False"],
  ])("maps IsSoftDeleted %s to active %s (strings, as Entra produces them)", (soft, expected) => {
    expect(evaluateSource(active, lookup({ IsSoftDeleted: soft }))).toBe(expected);
  });

  it.each([
    ['Join(" ", [givenName], [surname])', { givenName: "Ada", surname: "Lovelace" }, "Ada Lovelace"],
    ['Join(" ", [givenName], [surname])', { givenName: "Ada", surname: null }, "Ada"],
    ['Join(" ", [givenName], [surname])', {}, null],
    ["Not([IsSoftDeleted])", { IsSoftDeleted: "True" }, "False"],
    ["Coalesce([mail], [userPrincipalName])", { mail: null, userPrincipalName: "a@b.c" }, "a@b.c"],
    ["ToLower([mail])", { mail: "A@B.C" }, "a@b.c"],
    ['Append([mailNickname], "@contoso.com")', { mailNickname: "ada" }, "ada@contoso.com"],
    ['IIF(IsPresent([mail]), [mail], "none")', { mail: null }, "none"],
    ["Mid([userPrincipalName], 1, 3)", { userPrincipalName: "adalovelace" }, "ada"],
    ['Replace([displayName], " ", , , "_", , )', { displayName: "a b c" }, "a_b_c"],
    ["NormalizeDiacritics([surname])", { surname: "Brontë" }, "Bronte"],
  ])("evaluates %s", (text, values, expected) => {
    expect(evaluateSource(parseExpression(text), lookup(values))).toBe(expected);
  });

  it("names an unsupported function", () => {
    expect(() => evaluateSource(parseExpression("Frobnicate([a])"), lookup({}))).toThrow("Frobnicate");
  });
});
