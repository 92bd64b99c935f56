import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError, lineColumn, parseJsonText, pointerToPath, syntaxErrorOffset } from "./json-file.js";

describe("JSON input", () => {
  it("names file, line and column of a syntax error", () => {
    expect(() => parseJsonText('{\n  "a": 1,\n  "b": }', "facts.json")).toThrow(
      'facts.json:3:8: invalid JSON: expected a value, found "}"',
    );
    expect(() => parseJsonText('{"a": 1', "x.json")).toThrow(
      "x.json:1:8: invalid JSON: expected ',' or '}' after a property value, found end of input",
    );
    expect(() => parseJsonText("[1,2,]", "y.json")).toThrow("y.json:1:6:");
    try {
      parseJsonText("", "empty.json");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as InputError).where).toBe("1:1");
    }
  });

  it("the scanner accepts exactly what JSON.parse accepts", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(syntaxErrorOffset(text)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(syntaxErrorOffset(text) === undefined).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });

  it("renders JSON pointers as paths and offsets as line/column", () => {
    expect(pointerToPath("/hosts/web-1/services/openssh/0")).toBe("$.hosts.web-1.services.openssh[0]");
    expect(pointerToPath("/boot/kernel/sysctl/kernel.kptr_restrict")).toBe(
      '$.boot.kernel.sysctl["kernel.kptr_restrict"]',
    );
    expect(pointerToPath("")).toBe("$");
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});
