/** docs/controls.md's tables are generated from the catalog; this fails when someone forgot to regenerate. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  DOC_BEGIN,
  DOC_END,
  normaliseMarkdownTables,
  renderControlsDoc,
  spliceGenerated,
} from "../../controls/doc.js";
import { catalog } from "../../controls/index.js";

const file = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "controls.md");

describe("docs/controls.md", () => {
  const doc = readFileSync(file, "utf8");

  it("carries the generated tables exactly as the catalog renders them", () => {
    expect(normaliseMarkdownTables(spliceGenerated(doc, renderControlsDoc()))).toBe(
      normaliseMarkdownTables(doc),
    );
  });

  it("lists every control once and keeps the hand-written method", () => {
    const generated = doc.slice(doc.indexOf(DOC_BEGIN), doc.indexOf(DOC_END));
    for (const c of catalog)
      expect(generated.split(`\`${c.id}\``).length - 1, c.id).toBeGreaterThanOrEqual(1);
    const rows = generated.split("\n").filter((l) => /^\| `[a-z0-9.-]+` +\|/.test(l));
    expect(rows.map((r) => r.split("`")[1]).filter((id) => !id?.startsWith("drift."))).toEqual(
      catalog.map((c) => c.id),
    );
    expect(doc.slice(0, doc.indexOf(DOC_BEGIN))).toContain("## Method");
  });

  it("splicing replaces only the generated block", () => {
    const before = `# T\n\ntext\n\n${DOC_BEGIN}\nold\n${DOC_END}\nafter\n`;
    expect(spliceGenerated(before, `${DOC_BEGIN}\nnew\n${DOC_END}\n`)).toBe(
      `# T\n\ntext\n\n${DOC_BEGIN}\nnew\n${DOC_END}\nafter\n`,
    );
    expect(spliceGenerated("# T\n", "G\n")).toBe("# T\n\nG\n");
  });
});
