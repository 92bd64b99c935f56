/** Catalog invariants, selection by profile, coverage and the organisational measures. */
import { describe, expect, it } from "vitest";
import {
  catalog,
  coverageByRequirement,
  formatOptionPath,
  frameworks,
  getControl,
  getPath,
  organisationalMeasures,
  parseOptionPath,
  selectControls,
  withLockAge,
} from "./index.js";
import { ANSSI_LEVELS } from "./types.js";

describe("catalog invariants", () => {
  it("has at least 30 controls with unique, sorted, schema-valid ids", () => {
    expect(catalog.length).toBeGreaterThanOrEqual(30);
    const ids = catalog.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
  });

  it("maps only to requirement ids that exist in controls/frameworks", () => {
    for (const control of catalog) {
      expect(control.mappings.length, control.id).toBeGreaterThan(0);
      for (const m of control.mappings) {
        const ids = frameworks[m.framework].requirements.map((r) => r.id);
        expect(ids, `${control.id} → ${m.framework} ${m.requirement}`).toContain(m.requirement);
      }
    }
  });

  it("every control has a level, platforms and a remediation naming a NixOS option", () => {
    for (const control of catalog) {
      expect(ANSSI_LEVELS).toContain(control.level);
      expect(control.platforms.length).toBeGreaterThan(0);
      expect(control.remediation, control.id).toMatch(/[a-zA-Z-]+\.[a-zA-Z.<>"-]+/);
    }
  });

  it("no control applies later than the BP-028 recommendations it maps to", () => {
    // A control may apply earlier (basic hygiene such as SSH root login is checked from minimal), never later.
    const bp = frameworks["anssi-bp028"].requirements;
    for (const control of catalog) {
      const levels = control.mappings
        .filter((m) => m.framework === "anssi-bp028")
        .map((m) => bp.find((r) => r.id === m.requirement)!.level!);
      if (levels.length === 0) continue;
      const lowest = ANSSI_LEVELS.find((l) => levels.includes(l))!;
      expect(ANSSI_LEVELS.indexOf(control.level), control.id).toBeLessThanOrEqual(
        ANSSI_LEVELS.indexOf(lowest),
      );
    }
  });

  it("covers the BP-028 recommendations the brief lists", () => {
    const mapped = new Set(
      catalog.flatMap((c) =>
        c.mappings.filter((m) => m.framework === "anssi-bp028").map((m) => m.requirement),
      ),
    );
    for (const r of [
      "R5",
      "R7",
      "R8",
      "R9",
      "R10",
      "R11",
      "R12",
      "R13",
      "R14",
      "R28",
      "R30",
      "R31",
      "R33",
      "R36",
      "R37",
      "R38",
      "R39",
      "R40",
      "R41",
      "R42",
      "R43",
      "R44",
      "R45",
      "R56",
      "R57",
      "R58",
      "R59",
      "R61",
      "R62",
      "R64",
      "R65",
      "R68",
      "R71",
      "R73",
      "R80",
    ])
      expect(mapped, r).toContain(r);
  });

  it("lists BP-028 R1–R80 with the guide's levels, NIS2 (a)–(j) and 23, DORA Art.5–30", () => {
    const bp = frameworks["anssi-bp028"].requirements;
    expect(bp.map((r) => r.id)).toEqual(Array.from({ length: 80 }, (_, i) => `R${i + 1}`));
    expect(bp.find((r) => r.id === "R30")?.level).toBe("minimal");
    expect(bp.find((r) => r.id === "R5")?.level).toBe("intermediary");
    expect(bp.find((r) => r.id === "R37")?.level).toBe("enhanced");
    expect(bp.find((r) => r.id === "R46")?.level).toBe("high");
    expect(frameworks.nis2.requirements.map((r) => r.id)).toEqual(
      [..."abcdefghij"].map((l) => `21.2.${l}`).concat("23"),
    );
    expect(frameworks.dora.requirements.map((r) => r.id)).toEqual(
      Array.from({ length: 26 }, (_, i) => `Art.${i + 5}`),
    );
    const iso = frameworks.iso27001.requirements.map((r) => r.id);
    expect(iso).toContain("A.5.15");
    expect(iso).toContain("A.8.34");
  });
});

describe("NIS2 coverage is explicit", () => {
  it("every point (a)–(j) has a technical control or an organisational measure", () => {
    const coverage = coverageByRequirement().filter((c) => c.framework === "nis2");
    for (const point of [..."abcdefghij"].map((l) => `21.2.${l}`)) {
      const technical = coverage.find((c) => c.requirement === point)?.controls ?? [];
      const measure = organisationalMeasures.find((m) => m.requirement === point);
      expect(technical.length > 0 || measure !== undefined, point).toBe(true);
    }
  });

  it("organisational points are listed with the documents that evidence them", () => {
    const points = organisationalMeasures.map((m) => m.requirement);
    for (const p of ["21.2.a", "21.2.f", "21.2.g"]) expect(points).toContain(p);
    for (const m of organisationalMeasures) {
      expect(m.kind).toBe("organisational measure: evidence by document");
      expect(m.evidenceByDocument.length).toBeGreaterThan(10);
    }
    // (a) is purely organisational: no machine control claims it.
    expect(organisationalMeasures.find((m) => m.requirement === "21.2.a")?.technicalControls).toEqual([]);
    // (j) MFA is evidenced by a machine control.
    expect(
      coverageByRequirement().find((c) => c.framework === "nis2" && c.requirement === "21.2.j")?.controls,
    ).toContain("mfa-pam");
  });
});

describe("selectControls", () => {
  it("a host at level L gets controls of level ≤ L", () => {
    const minimal = selectControls({ level: "minimal" });
    expect(minimal.every((c) => c.level === "minimal")).toBe(true);
    const enhanced = selectControls({ level: "enhanced" });
    expect(enhanced.some((c) => c.level === "enhanced")).toBe(true);
    expect(enhanced.every((c) => c.level !== "high")).toBe(true);
    expect(minimal.length).toBeLessThan(enhanced.length);
    expect(selectControls({ level: "high" }).length).toBe(catalog.length);
  });

  it("essential entities get the stricter controls, important ones do not", () => {
    const essential = selectControls({ entity: "essential" }).map((c) => c.id);
    const important = selectControls({ entity: "important" }).map((c) => c.id);
    expect(essential).toContain("updates-lock-fresh-essential");
    expect(essential).toContain("log-remote-forwarding");
    expect(important).not.toContain("updates-lock-fresh-essential");
    expect(important).toContain("updates-lock-fresh");
  });

  it("filters by framework mappings", () => {
    const dora = selectControls({ frameworks: ["dora"] });
    expect(dora.every((c) => c.mappings.some((m) => m.framework === "dora"))).toBe(true);
    const anssi = selectControls({ frameworks: ["anssi-bp028"] }).map((c) => c.id);
    // disk encryption is not a BP-028 recommendation
    expect(anssi).not.toContain("disk-encryption");
    expect(getControl("disk-encryption")).toBeDefined();
    expect(getControl("no-such-control")).toBeUndefined();
  });
});

describe("option paths", () => {
  it("parses quoted segments with dots", () => {
    expect(parseOptionPath('boot.kernel.sysctl."kernel.kptr_restrict"')).toEqual([
      "boot",
      "kernel",
      "sysctl",
      "kernel.kptr_restrict",
    ]);
    expect(parseOptionPath('fileSystems."/home".options')).toEqual(["fileSystems", "/home", "options"]);
    expect(parseOptionPath('a."b\\"c".d')).toEqual(["a", 'b"c', "d"]);
    expect(() => parseOptionPath("a..b")).toThrow(/empty segment/);
    expect(() => parseOptionPath('a."b')).toThrow(/unterminated/);
    expect(formatOptionPath(["boot", "kernel", "sysctl", "kernel.kptr_restrict"])).toBe(
      'boot.kernel.sysctl."kernel.kptr_restrict"',
    );
  });

  it("reads values by string or segments, undefined when absent", () => {
    const facts = {
      services: { openssh: { settings: { PermitRootLogin: "no" } } },
      boot: { kernel: { sysctl: { "kernel.kptr_restrict": 2 } } },
    };
    expect(getPath(facts, "services.openssh.settings.PermitRootLogin")).toBe("no");
    expect(getPath(facts, 'boot.kernel.sysctl."kernel.kptr_restrict"')).toBe(2);
    expect(getPath(facts, ["boot", "kernel", "sysctl", "kernel.kptr_restrict"])).toBe(2);
    expect(getPath(facts, "services.openssh.settings.PermitRootLogin.x")).toBeUndefined();
    expect(getPath(facts, "services.nginx")).toBeUndefined();
    expect(getPath(null, "a")).toBeUndefined();
    expect(getPath({ a: [1] }, "a.0")).toBeUndefined();
  });
});

describe("withLockAge", () => {
  it("computes lockAgeDays from lockLastModified with the caller's clock, leaving other facts alone", () => {
    const facts = {
      nixfleet: { meta: { hostName: "h", system: "x86_64-linux" as const, lockLastModified: 1_700_000_000 } },
    };
    const aged = withLockAge(facts, new Date((1_700_000_000 + 12 * 86400 + 5) * 1000));
    expect(aged.nixfleet.meta.lockAgeDays).toBe(12);
    expect(facts.nixfleet.meta).not.toHaveProperty("lockAgeDays");
    const explicit = {
      nixfleet: {
        meta: { hostName: "h", system: "x86_64-linux" as const, lockAgeDays: 3, lockLastModified: 1 },
      },
    };
    expect(withLockAge(explicit, new Date())).toBe(explicit);
    const none = { nixfleet: { meta: { hostName: "h", system: "x86_64-linux" as const } } };
    expect(withLockAge(none, new Date())).toBe(none);
  });
});

describe("getPath on hostile keys", () => {
  it("never returns inherited members of Object.prototype", () => {
    const facts = JSON.parse('{"a":{"__proto__":{"x":1}},"b":{}}');
    expect(getPath(facts, "b.constructor")).toBeUndefined();
    expect(getPath(facts, "b.toString")).toBeUndefined();
    expect(getPath(facts, "b.__proto__")).toBeUndefined();
    expect(getPath(facts, "a.__proto__.x")).toBe(1);
  });
});
