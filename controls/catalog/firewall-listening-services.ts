import { boolAt, cannotCheck, defineControl, isRecord, listAt, maps, recordAt, verdict } from "../check.js";
import type { Facts } from "../types.js";

/** Ports that must never be open to every interface: clear-text, RPC and database protocols. */
export const SENSITIVE_PORTS: Readonly<Record<number, string>> = {
  21: "ftp",
  23: "telnet",
  69: "tftp",
  111: "rpcbind",
  135: "msrpc",
  139: "netbios",
  445: "smb",
  2049: "nfs",
  2375: "docker (unauthenticated API)",
  3306: "mysql",
  5432: "postgresql",
  5984: "couchdb",
  6379: "redis",
  9200: "elasticsearch",
  11211: "memcached",
  27017: "mongodb",
};

/** DHCP and DHCPv6 clients listen on every interface by design. */
const CLIENT_PORTS = new Set(["udp:68", "udp6:546", "udp:546"]);

function ports(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((p): p is number => Number.isInteger(p)) : [];
}

function ranges(value: unknown): Array<[number, number]> {
  return (Array.isArray(value) ? value : [])
    .filter(isRecord)
    .filter((r) => Number.isInteger(r.from) && Number.isInteger(r.to))
    .map((r) => [r.from as number, r.to as number]);
}

/** Ports the NixOS firewall opens on all interfaces, per protocol family. */
export function openPorts(facts: Facts): {
  tcp: number[];
  udp: number[];
  tcpRanges: Array<[number, number]>;
  udpRanges: Array<[number, number]>;
} {
  const fw = recordAt(facts, "networking.firewall");
  const tcp = ports(fw.allowedTCPPorts);
  if (
    boolAt(facts, "services.openssh.enable") === true &&
    boolAt(facts, "services.openssh.openFirewall") !== false
  ) {
    const sshPorts = listAt(facts, "services.openssh.ports");
    for (const p of sshPorts.length > 0 ? ports(sshPorts) : [22]) if (!tcp.includes(p)) tcp.push(p);
  }
  return {
    tcp: tcp.sort((a, b) => a - b),
    udp: ports(fw.allowedUDPPorts).sort((a, b) => a - b),
    tcpRanges: ranges(fw.allowedTCPPortRanges),
    udpRanges: ranges(fw.allowedUDPPortRanges),
  };
}

function isLoopback(address: string): boolean {
  return (
    address.startsWith("127.") ||
    address === "::1" ||
    address === "localhost" ||
    address.startsWith("::ffff:127.")
  );
}

/**
 * R80: services listen only where they are meant to be reached. At eval time: no sensitive port and no huge
 * range is opened on every interface. At run time: every socket listening beyond loopback is on a port the
 * firewall opens (otherwise it should bind to localhost), and every opened port has a listener.
 */
export const control = defineControl({
  id: "firewall-listening-services",
  title: "Listening services match the firewall's open ports; no sensitive port open to all",
  severity: "high",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.e"],
    dora: ["Art.9"],
    iso27001: ["A.8.20", "A.8.21"],
    "anssi-bp028": ["R78", "R79", "R80"],
  }),
  eval(facts) {
    const open = openPorts(facts);
    const sensitive = [...open.tcp, ...open.udp]
      .filter((p) => SENSITIVE_PORTS[p] !== undefined)
      .map((p) => `${p} (${SENSITIVE_PORTS[p]})`);
    const wide = [...open.tcpRanges, ...open.udpRanges]
      .filter(([from, to]) => to - from >= 1000)
      .map(([f, t]) => `${f}-${t}`);
    const problems = [
      sensitive.length > 0 ? `sensitive ports open to all: ${sensitive.join(", ")}` : "",
      wide.length > 0 ? `wide port ranges open: ${wide.join(", ")}` : "",
    ].filter(Boolean);
    return verdict(
      problems.length === 0,
      open,
      { sensitivePortsOpen: [], rangesWiderThan: 1000 },
      `${open.tcp.length} TCP / ${open.udp.length} UDP port(s) open, none sensitive`,
      problems.join("; "),
    );
  },
  runtime(report, facts) {
    if (!Array.isArray(report.listeningSockets))
      return cannotCheck(null, null, "the runtime report has no listening sockets");
    if (!facts)
      return cannotCheck(null, null, "the firewall's open ports come from the facts, which were not given");
    const open = openPorts(facts);
    const allowed = (proto: string, port: number) => {
      const udp = proto.startsWith("udp");
      const list = udp ? open.udp : open.tcp;
      const rs = udp ? open.udpRanges : open.tcpRanges;
      return list.includes(port) || rs.some(([f, t]) => port >= f && port <= t);
    };
    const exposed = report.listeningSockets.filter(
      (s) => !isLoopback(s.address) && !CLIENT_PORTS.has(`${s.protocol}:${s.port}`),
    );
    const filtered = exposed
      .filter((s) => !allowed(s.protocol, s.port))
      .map((s) => `${s.protocol} ${s.address}:${s.port}${s.process ? ` (${s.process})` : ""}`);
    const listening = (udp: boolean, port: number) =>
      exposed.some((s) => s.protocol.startsWith(udp ? "udp" : "tcp") && s.port === port);
    const stale = [
      ...open.tcp.filter((p) => !listening(false, p)).map((p) => `tcp ${p}`),
      ...open.udp.filter((p) => !listening(true, p)).map((p) => `udp ${p}`),
    ];
    const problems = [
      filtered.length > 0
        ? `listening on all interfaces but not opened (bind to localhost or remove): ${filtered.join(", ")}`
        : "",
      stale.length > 0 ? `opened without a listener: ${stale.join(", ")}` : "",
    ].filter(Boolean);
    return verdict(
      problems.length === 0,
      { listeningBeyondLoopback: exposed.length, notOpened: filtered, openedWithoutListener: stale },
      { notOpened: [], openedWithoutListener: [] },
      "every exposed listener matches an opened port",
      problems.join("; "),
    );
  },
  remediation:
    "Keep networking.firewall.allowedTCPPorts/allowedUDPPorts to the ports served; bind internal services to 127.0.0.1 or use networking.firewall.interfaces.<if>.allowedTCPPorts.",
});
