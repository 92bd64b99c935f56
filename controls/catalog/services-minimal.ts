import { boolAt, defineControl, maps, verdict } from "../check.js";

/** Services rarely needed on a server, each a listening daemon or a discovery protocol (R62). */
export const UNNEEDED_SERVICES = [
  "avahi",
  "printing",
  "rpcbind",
  "vsftpd",
  "xinetd",
  "atftpd",
  "tftpd",
  "rsyncd",
  "telepathy",
  "nfs.server",
  "samba",
  "xserver",
];

export const control = defineControl({
  id: "services-minimal",
  title: "No unneeded network or desktop services (avahi, CUPS, rpcbind, FTP/TFTP, xinetd, X11…)",
  severity: "medium",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.e"],
    dora: ["Art.9"],
    iso27001: ["A.8.19", "A.8.21"],
    "anssi-bp028": ["R62", "R80"],
  }),
  eval(facts) {
    const enabled = UNNEEDED_SERVICES.filter((s) => boolAt(facts, `services.${s}.enable`) === true);
    return verdict(
      enabled.length === 0,
      { enabled },
      { enabled: [] },
      "none of the unneeded services is enabled",
      `unneeded services enabled: ${enabled.map((s) => `services.${s}`).join(", ")}`,
    );
  },
  remediation: "Set services.<name>.enable = false; for each (e.g. services.avahi.enable = false;).",
});
