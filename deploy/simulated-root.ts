/**
 * A simulated machine root for agents that run on this machine but stand for NixOS hosts that cannot exist here
 * (the demo fleet, end-to-end tests): /proc files in the kernel's formats, written from a runtime report
 * (schemas/runtime-report), so the agent's real collectors read what such a host would show. It is the only
 * simulated part: profiles, generations, activation, health checks and HTTP stay real.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RuntimeReport } from "../schemas/generated/runtime-report.js";

function put(root: string, relative: string, text: string): void {
  const file = join(root, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** IPv4 as /proc/net prints it: one little-endian 32-bit word in hex. */
export function procIpv4(address: string): string {
  return address
    .split(".")
    .map((b) => Number(b).toString(16).padStart(2, "0").toUpperCase())
    .reverse()
    .join("");
}

/** IPv6 as /proc/net prints it: four little-endian 32-bit words. Handles "::" compression. */
export function procIpv6(address: string): string {
  const [head = "", tail = ""] = address.includes("::") ? address.split("::") : [address, ""];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t].map((g) => g.padStart(4, "0"));
  const bytes = groups.join("").match(/../g) ?? [];
  let out = "";
  for (let word = 0; word < 4; word++)
    out += bytes
      .slice(word * 4, word * 4 + 4)
      .reverse()
      .join("");
  return out.toUpperCase();
}

function escapeMountField(field: string): string {
  return field.replace(/\\/g, "\\134").replace(/ /g, "\\040").replace(/\t/g, "\\011").replace(/\n/g, "\\012");
}

/** Writes <root>/proc/{sys/…,cmdline,mounts,net/*,sys/kernel/random/boot_id} from a runtime report. */
export function writeSimulatedRoot(root: string, report: RuntimeReport): void {
  for (const [key, value] of Object.entries(report.sysctl ?? {}))
    put(root, join("proc", "sys", ...key.split(".")), `${value}\n`);
  if (report.bootId) put(root, "proc/sys/kernel/random/boot_id", `${report.bootId}\n`);
  if (report.kernelCmdline) put(root, "proc/cmdline", `${report.kernelCmdline.join(" ")}\n`);
  if (report.mounts)
    put(
      root,
      "proc/mounts",
      report.mounts
        .map(
          (m) =>
            `${escapeMountField(m.device ?? "none")} ${escapeMountField(m.mountPoint)} ${m.fsType} ${m.options.join(",")} 0 0\n`,
        )
        .join(""),
    );
  const header =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
  const tables: Record<string, string[]> = { tcp: [], tcp6: [], udp: [], udp6: [] };
  for (const socket of report.listeningSockets ?? []) {
    const v6 = socket.protocol.endsWith("6");
    const local = `${v6 ? procIpv6(socket.address) : procIpv4(socket.address)}:${socket.port.toString(16).toUpperCase().padStart(4, "0")}`;
    const remote = v6 ? `${"0".repeat(32)}:0000` : "00000000:0000";
    const state = socket.protocol.startsWith("tcp") ? "0A" : "07";
    const rows = tables[socket.protocol]!;
    rows.push(
      `  ${rows.length}: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000     0        0 ${1000 + rows.length} 1 0000000000000000 100 0 0 10 0`,
    );
  }
  for (const [protocol, rows] of Object.entries(tables))
    put(root, `proc/net/${protocol}`, header + rows.map((r) => `${r}\n`).join(""));
}
