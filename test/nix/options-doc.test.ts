/**
 * docs/nix-options.md is generated from the modules' option declarations (nix/lib/options-doc.nix, no
 * nixpkgs needed); this fails when the committed file and the declarations drift apart.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runNix } from "./nix.js";

function generated(): string {
  const run = runNix("nix", ["eval", "--raw", "--file", "nix/lib/options-doc.nix", "markdown"]);
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
}

describe("docs/nix-options.md", () => {
  it("is what nix/gen-options-doc.sh generates from the current declarations (run it after changing an option)", () => {
    expect(readFileSync(join(repoRoot, "docs/nix-options.md"), "utf8")).toBe(generated());
  });

  it("documents every option of the agent, control plane, compliance and host spec with a description and a type", () => {
    const run = runNix("nix", ["eval", "--json", "--file", "nix/lib/options-doc.nix", "options"]);
    const options = JSON.parse(run.stdout) as { name: string; type: string | null; readOnly: boolean }[];
    const names = options.map((o) => o.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "services.nixfleet-agent.controlPlaneUrl",
        "services.nixfleet-agent.healthChecks.*.kind",
        "services.nixfleet-agent.tls.cert",
        "services.nixfleet-control-plane.listen.port",
        "services.nixfleet-control-plane.clientCa",
        "nixfleet.compliance.exceptions.*.rationale",
        "nixfleet.hostSpec.tags",
      ]),
    );
    for (const option of options) expect(option.type, option.name).not.toBeNull();
    expect(options.find((o) => o.name === "nixfleet.compliance.facts")?.readOnly).toBe(true);
    expect(generated()).not.toContain("(no description)");
  });
});
