/** Listening sockets from <root>/proc/net/{tcp,tcp6,udp,udp6}: addresses are hex in host (little-endian) order. */
import { readUnderRoot } from "./proc.js";

export interface ListeningSocket {
  protocol: "tcp" | "tcp6" | "udp" | "udp6";
  address: string;
  port: number;
}

const TCP_LISTEN = "0A";
// A bound, unconnected UDP socket (TCP_CLOSE = 07) is what "listening" means for UDP.
const UDP_UNCONNECTED = "07";

/** Decodes an IPv4 address as /proc prints it: one 32-bit word in little-endian byte order. */
export function decodeIpv4(hex: string): string {
  const bytes: number[] = [];
  for (let i = 6; i >= 0; i -= 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.join(".");
}

/** Decodes an IPv6 address: four 32-bit words, each little-endian. Returns the compressed textual form. */
export function decodeIpv6(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < 4; word++) {
    const w = hex.slice(word * 8, word * 8 + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(Number.parseInt(w.slice(i, i + 2), 16));
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return `::ffff:${bytes.slice(12).join(".")}`;
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexGroups = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hexGroups.join(":");
  const head = hexGroups.slice(0, bestStart).join(":");
  const tail = hexGroups.slice(bestStart + bestLen).join(":");
  return `${head}::${tail}`;
}

/** Parses one /proc/net table. */
export function parseProcNet(text: string, protocol: ListeningSocket["protocol"]): ListeningSocket[] {
  const wanted = protocol.startsWith("tcp") ? TCP_LISTEN : UDP_UNCONNECTED;
  const sockets: ListeningSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const [, local, remote, state] = fields as [string, string, string, string];
    if (state.toUpperCase() !== wanted) continue;
    const [addrHex, portHex] = local.split(":");
    if (!addrHex || !portHex) continue;
    // UDP: a socket connected to a peer is a client, not a listener.
    if (!protocol.startsWith("tcp") && !/^0+:0+$/.test(remote)) continue;
    sockets.push({
      protocol,
      address: addrHex.length === 8 ? decodeIpv4(addrHex) : decodeIpv6(addrHex),
      port: Number.parseInt(portHex, 16),
    });
  }
  return sockets;
}

export function collectListeningSockets(root: string): ListeningSocket[] | null {
  let any = false;
  const all: ListeningSocket[] = [];
  for (const protocol of ["tcp", "tcp6", "udp", "udp6"] as const) {
    const text = readUnderRoot(root, `proc/net/${protocol}`);
    if (text === null) continue;
    any = true;
    all.push(...parseProcNet(text, protocol));
  }
  return any ? all : null;
}
