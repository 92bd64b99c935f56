/** Every Nix file of the repository parses (nix-instantiate --parse), whoever wrote it. */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runNix } from "./nix.js";

const skipped = new Set(["node_modules", "dist", ".git", "coverage", ".tmp"]);

function nixFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".nixfleet") || skipped.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return nixFiles(path);
    return entry.name.endsWith(".nix") ? [relative(repoRoot, path)] : [];
  });
}

describe("Nix files", () => {
  const files = nixFiles(repoRoot);

  it("include the framework's own files", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "flake.nix",
        "nix/lib/mkHost.nix",
        "nix/lib/agent-config.nix",
        "nix/modules/nixos/agent.nix",
        "nix/modules/darwin/agent.nix",
        "templates/default/flake.nix",
      ]),
    );
  });

  it.each(files)("%s parses", (file) => {
    const run = runNix("nix-instantiate", ["--parse", file]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
