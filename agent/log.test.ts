import { describe, expect, it } from "vitest";
import { createAgentLog } from "./log.js";

describe("agent log", () => {
  it("writes JSON lines at or above the level and redacts secrets", () => {
    const lines: string[] = [];
    const log = createAgentLog("info", { machineId: "web-01" }, (l) => lines.push(l));
    log.debug({}, "hidden");
    log.warn({ token: "s3cret", storePath: "/nix/store/x" }, "careful");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 40,
      machineId: "web-01",
      token: "[redacted]",
      storePath: "/nix/store/x",
      msg: "careful",
    });
  });
});
