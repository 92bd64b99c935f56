// Writes the generated catalog tables into docs/controls.md (npx tsx scripts/gen-controls-doc.ts).
// With --check it exits 1 when the committed document differs (test/controls/doc.test.ts checks it too).

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { normaliseMarkdownTables, renderControlsDoc, spliceGenerated } from "../controls/doc.js";

const file = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "controls.md");
const current = readFileSync(file, "utf8");
const next = spliceGenerated(current, renderControlsDoc());
if (process.argv.includes("--check")) {
  if (normaliseMarkdownTables(next) !== normaliseMarkdownTables(current)) {
    console.error("docs/controls.md is out of date: run npx tsx scripts/gen-controls-doc.ts");
    process.exitCode = 1;
  }
} else {
  writeFileSync(file, next);
  // Biome pads the tables; format now so `npm run lint` stays clean.
  execFileSync("npx", ["biome", "format", "--write", file], { stdio: "ignore" });
  console.log("docs/controls.md regenerated");
}
