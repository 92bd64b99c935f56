import { maps } from "../check.js";
import { sysctlControl } from "../sysctl.js";

/** BP-028 R12 for a non-routing server: no redirects, no source routing, reverse-path filtering, SYN cookies. */
export const control = sysctlControl({
  id: "sysctl-network-ipv4",
  title: "IPv4 stack hardened for a non-routing host",
  severity: "medium",
  level: "intermediary",
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.20"], "anssi-bp028": ["R12"] }),
  rules: {
    "net.ipv4.ip_forward": { equals: 0 },
    "net.ipv4.conf.all.accept_redirects": { equals: 0 },
    "net.ipv4.conf.default.accept_redirects": { equals: 0 },
    "net.ipv4.conf.all.secure_redirects": { equals: 0 },
    "net.ipv4.conf.all.send_redirects": { equals: 0 },
    "net.ipv4.conf.default.send_redirects": { equals: 0 },
    "net.ipv4.conf.all.accept_source_route": { equals: 0 },
    "net.ipv4.conf.all.rp_filter": { equals: 1 },
    "net.ipv4.icmp_ignore_bogus_error_responses": { equals: 1 },
    "net.ipv4.tcp_syncookies": { equals: 1 },
    "net.ipv4.tcp_rfc1337": { equals: 1 },
  },
  remediation:
    'boot.kernel.sysctl = { "net.ipv4.ip_forward" = 0; "net.ipv4.conf.all.accept_redirects" = 0; "net.ipv4.conf.default.accept_redirects" = 0; "net.ipv4.conf.all.secure_redirects" = 0; "net.ipv4.conf.all.send_redirects" = 0; "net.ipv4.conf.default.send_redirects" = 0; "net.ipv4.conf.all.accept_source_route" = 0; "net.ipv4.conf.all.rp_filter" = 1; "net.ipv4.icmp_ignore_bogus_error_responses" = 1; "net.ipv4.tcp_syncookies" = 1; "net.ipv4.tcp_rfc1337" = 1; };',
});
