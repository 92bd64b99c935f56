import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalHash, canonicalize } from "./canonical.js";

describe("canonicalize (RFC 8785)", () => {
  it("sorts keys by UTF-16 code units and drops whitespace", () => {
    // The RFC 8785 §3.2.3 sorting example: keys in code-unit order.
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    // JSON.parse would reorder the integer-like key "1", so read the key order off the text itself.
    const keys = [...canonicalize(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map(
      (m) => JSON.parse(`"${m[1]}"`) as string,
    );
    expect(keys).toEqual(["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
  });

  it("writes numbers in ECMAScript form (RFC 8785 §3.2.2.3 samples)", () => {
    expect(canonicalize([1e21, 1e-7, 0.000001, -0, 333333333.3333333, 4.5])).toBe(
      "[1e+21,1e-7,0.000001,0,333333333.3333333,4.5]",
    );
  });

  it("rejects values JSON cannot hold", () => {
    expect(() => canonicalize(Number.NaN)).toThrow(/NaN/);
    expect(() => canonicalize({ f: () => 1 })).toThrow(/function/);
  });

  it("is stable under key order and round-trips through JSON.parse", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalize(v);
        expect(canonicalize(JSON.parse(c))).toBe(c);
        expect(canonicalHash(JSON.parse(c))).toBe(canonicalHash(v));
      }),
    );
  });
});

describe("canonicalize matches a straightforward reference implementation", () => {
  // The first, obviously-correct version; the production one is a faster rewrite and must agree with it.
  function reference(value: unknown): string {
    if (value === null || typeof value === "boolean") return JSON.stringify(value);
    if (typeof value === "number") return JSON.stringify(value);
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value))
      return `[${value.map((v) => (v === undefined ? "null" : reference(v))).join(",")}]`;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(",")}}`;
  }

  it("on arbitrary JSON values, including undefined members and repeated keys", () => {
    fc.assert(
      fc.property(
        fc.anything({
          values: [fc.jsonValue(), fc.constant(undefined)],
          withObjectString: false,
          withNullPrototype: false,
        }),
        (v) => {
          let expected: string | Error;
          try {
            expected = reference(v);
          } catch (err) {
            expected = err as Error;
          }
          if (expected instanceof Error) return;
          expect(canonicalize(v)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
