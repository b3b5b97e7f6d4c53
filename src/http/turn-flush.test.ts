import { describe, expect, it } from "vitest";
import { TurnFlush } from "./turn-flush.js";

const nextTurn = () => new Promise((r) => setImmediate(r));

describe("TurnFlush", () => {
  it("writes nothing of an open turn until its end, then every held response in order", async () => {
    const out: string[] = [];
    const t = new TurnFlush(() => undefined);
    t.begin();
    t.send(() => out.push("a"));
    t.begin();
    t.send(() => out.push("b"));
    await Promise.resolve();
    expect(out).toEqual([]);
    await nextTurn();
    expect(out).toEqual(["a", "b"]);
  });

  it("writes at once when no turn is open: before any request, and after the turn's end", async () => {
    const out: string[] = [];
    const t = new TurnFlush(() => undefined);
    t.send(() => out.push("early"));
    expect(out).toEqual(["early"]);
    t.begin();
    await nextTurn();
    t.send(() => out.push("late"));
    expect(out).toEqual(["early", "late"]);
  });

  it("holds the next turn's responses again", async () => {
    const out: string[] = [];
    const t = new TurnFlush(() => undefined);
    t.begin();
    await nextTurn();
    t.begin();
    t.send(() => out.push("x"));
    expect(out).toEqual([]);
    await nextTurn();
    expect(out).toEqual(["x"]);
  });

  it("still writes the other held responses when one throws, and reports the error", async () => {
    const out: string[] = [];
    const errors: unknown[] = [];
    const t = new TurnFlush((e) => errors.push(e));
    t.begin();
    t.send(() => {
      throw new Error("boom");
    });
    t.send(() => out.push("after"));
    await nextTurn();
    expect(out).toEqual(["after"]);
    expect(errors.map((e) => (e as Error).message)).toEqual(["boom"]);
  });
});
