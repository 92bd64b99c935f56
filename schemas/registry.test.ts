import { describe, expect, it } from "vitest";
import { metaSchemaIssues, validate } from "./registry.js";

describe("schema registry", () => {
  it("every schema is valid against the JSON Schema 2020-12 meta-schema", () => {
    expect(metaSchemaIssues()).toEqual([]);
  });

  it("still validates documents after skipping the meta-schema check at start-up", () => {
    expect(() => validate("policy", { version: 2 }, "p.json")).toThrow(/p.json: invalid policy: \/version/);
  });
});
