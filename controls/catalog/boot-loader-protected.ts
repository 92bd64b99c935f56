import { boolAt, defineControl, isRecord, maps, notApplicable, recordAt, verdict } from "../check.js";

/**
 * R5: nobody at the console may edit the kernel command line (init=/bin/sh). GRUB needs a superuser with a
 * password; systemd-boot needs its editor off (its default is on); a lanzaboote Secure Boot setup with the
 * editor off also qualifies.
 */
export const control = defineControl({
  id: "boot-loader-protected",
  title: "The boot loader cannot be edited without authentication",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R5", "R6"] }),
  eval(facts) {
    const grub = boolAt(facts, "boot.loader.grub.enable");
    const systemdBoot = boolAt(facts, "boot.loader.systemd-boot.enable");
    const lanzaboote = boolAt(facts, "boot.lanzaboote.enable");
    if (systemdBoot === true || lanzaboote === true) {
      // lanzaboote replaces systemd-boot's installer and has its own loader.conf setting.
      const editor =
        lanzaboote === true
          ? boolAt(facts, "boot.lanzaboote.settings.editor")
          : boolAt(facts, "boot.loader.systemd-boot.editor");
      return verdict(
        editor === false,
        { loader: lanzaboote ? "lanzaboote" : "systemd-boot", editor: editor ?? "true (default)" },
        { editor: false },
        "systemd-boot's editor is off",
        "systemd-boot lets anyone edit the kernel command line at boot",
      );
    }
    if (grub === true) {
      const users = recordAt(facts, "boot.loader.grub.users");
      const withPassword = Object.entries(users)
        .filter(
          ([, u]) => isRecord(u) && (u.hasPassword === true || typeof u.hashedPasswordFile === "string"),
        )
        .map(([name]) => name);
      return verdict(
        withPassword.length > 0,
        { loader: "grub", usersWithPassword: withPassword },
        { loader: "grub", usersWithPassword: ">= 1" },
        `GRUB superuser(s): ${withPassword.join(", ")}`,
        "GRUB has no password-protected user",
      );
    }
    return notApplicable(
      { grub: grub ?? null, systemdBoot: systemdBoot ?? null },
      null,
      "no known boot loader enabled (container or VM?)",
    );
  },
  remediation:
    'boot.loader.systemd-boot.editor = false; (boot.lanzaboote.settings.editor = false with lanzaboote) or boot.loader.grub.users.root.hashedPasswordFile = "/run/keys/grub"; (grub-mkpasswd-pbkdf2)',
});
