import { describe, expect, it } from "vitest";
import { catalog } from "../../controls/index.js";
import type { Waiver } from "../../schemas/generated/policy.js";
import { modeFor, normalisePolicy, unknownControlIssues } from "./policy.js";
import { checkWaiverApproval, findWaiver, validateWaivers, waiverState } from "./waivers.js";

const NOW = "2026-11-25T12:00:00Z";
const w = (over: Partial<Waiver> = {}): Waiver => ({
  id: "w1",
  controlId: "ssh-no-root-login",
  rationale: "break-glass access during migration",
  requestedBy: "alice",
  approvedBy: "bob",
  expiresAt: "2026-12-01T00:00:00Z",
  ...over,
});

describe("waivers", () => {
  it("knows why a waiver does not count", () => {
    expect(waiverState(w(), NOW)).toBe("valid");
    expect(waiverState(w({ expiresAt: NOW }), NOW)).toBe("expired");
    expect(waiverState(w({ rationale: "   " }), NOW)).toBe("no-rationale");
    expect(waiverState(w({ approvedBy: "alice" }), NOW)).toBe("self-approved");
    expect(waiverState(w({ approvedAt: "2026-11-26T00:00:00Z" }), NOW)).toBe("not-yet-approved");
  });

  it("validateWaivers points at the offending field", () => {
    const issues = validateWaivers(
      {
        waivers: [
          w(),
          w({ id: "w2", expiresAt: "2026-01-01T00:00:00Z" }),
          w({ id: "w3", rationale: " " }),
          w(),
        ],
      },
      NOW,
    );
    expect(issues).toEqual([
      { path: "/waivers/1/expiresAt", message: 'waiver "w2" expired at 2026-01-01T00:00:00Z' },
      { path: "/waivers/2/rationale", message: 'waiver "w3" has no rationale' },
      { path: "/waivers/3/id", message: 'duplicate waiver id "w1"' },
    ]);
  });

  it("picks the covering waiver that lasts longest", () => {
    const waivers = [
      w({ id: "short", expiresAt: "2026-11-30T00:00:00Z" }),
      w({ id: "long" }),
      w({ id: "other", hosts: ["db"] }),
    ];
    expect(findWaiver(waivers, "ssh-no-root-login", "web", [], NOW)?.id).toBe("long");
    expect(findWaiver(waivers, "firewall-enabled", "web", [], NOW)).toBeUndefined();
  });

  it("four eyes: an admin other than the requester approves", () => {
    expect(checkWaiverApproval({ requestedBy: "alice", approvedBy: "bob", approverRole: "admin" })).toEqual({
      ok: true,
    });
    expect(
      checkWaiverApproval({ requestedBy: "alice", approvedBy: "alice", approverRole: "admin" }),
    ).toMatchObject({
      ok: false,
      reason: "self-approval",
    });
    expect(
      checkWaiverApproval({ requestedBy: "alice", approvedBy: "bob", approverRole: "operator" }),
    ).toMatchObject({
      ok: false,
      reason: "approver-not-admin",
    });
  });
});

describe("policy", () => {
  it("expands '*' against the profile and fills defaults", () => {
    const p = normalisePolicy({
      version: 1,
      frameworks: ["anssi-bp028"],
      anssiLevel: "minimal",
      advisoryControls: ["ssh-no-root-login"],
    });
    expect(p.freshness).toEqual({ evalMaxAgeHours: 720, runtimeMaxAgeHours: 24 });
    expect(p.mode).toBe("enforce");
    expect(p.requiredControls.length).toBeGreaterThan(0);
    expect(p.requiredControls).not.toContain("ssh-no-root-login");
    const minimal = catalog.filter(
      (c) => c.level === "minimal" && c.mappings.some((m) => m.framework === "anssi-bp028"),
    );
    expect(p.requiredControls.length).toBe(minimal.length - 1);
  });

  it("reports control ids the catalog does not know", () => {
    expect(
      unknownControlIssues({
        version: 1,
        requiredControls: ["*", "ssh-no-rot-login"],
        waivers: [w({ controlId: "nope" })],
      }),
    ).toEqual([
      { path: "/requiredControls/1", message: 'unknown control "ssh-no-rot-login"' },
      { path: "/waivers/0/controlId", message: 'unknown control "nope"' },
    ]);
  });

  it("modeFor falls back to the default mode", () => {
    expect(
      modeFor({ mode: "permissive", modes: [{ tag: "prod", mode: "enforce" }] }, { tags: ["dev"] }),
    ).toBe("permissive");
  });
});
