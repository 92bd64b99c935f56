import { boolAt, defineControl, getPath, maps, verdict } from "../check.js";
import { sshdOption } from "../sshd.js";

function pamSecondFactor(facts: unknown, service: string): string[] {
  const p = `security.pam.services.${service}`;
  const found: string[] = [];
  if (getPath(facts, `${p}.googleAuthenticator.enable`) === true)
    found.push(`${service}: google-authenticator (TOTP)`);
  if (getPath(facts, `${p}.u2fAuth`) === true) found.push(`${service}: u2f`);
  if (getPath(facts, `${p}.oathAuth`) === true) found.push(`${service}: oath`);
  if (getPath(facts, `${p}.yubicoAuth`) === true) found.push(`${service}: yubico`);
  if (getPath(facts, `${p}.duoSecurity.enable`) === true) found.push(`${service}: duo`);
  return found;
}

/**
 * NIS2 21(2)(j): multi-factor authentication where appropriate — on a server, for remote login and privilege
 * elevation. Passes when sshd requires a key plus a PAM second factor (AuthenticationMethods
 * publickey,keyboard-interactive with an OTP/U2F module on sshd), or when sudo asks for a second factor.
 */
export const control = defineControl({
  id: "mfa-pam",
  title: "Multi-factor authentication for SSH logins or sudo (PAM TOTP/U2F/OATH)",
  severity: "high",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.j", "21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.8.5", "A.5.17"],
    "anssi-bp028": ["R67"],
  }),
  eval(facts) {
    const sshFactors = pamSecondFactor(facts, "sshd");
    const sudoFactors = [...pamSecondFactor(facts, "sudo"), ...pamSecondFactor(facts, "sudo-rs")];
    const methods = sshdOption(facts, "AuthenticationMethods");
    const sshRequiresTwo =
      typeof methods === "string" &&
      methods.split(/\s+/).every((l) => l.includes("publickey") && l.includes("keyboard-interactive"));
    const u2fGlobal = boolAt(facts, "security.pam.u2f.enable") === true;
    const sshMfa = sshRequiresTwo && sshFactors.length > 0;
    const sudoMfa = sudoFactors.length > 0;
    return verdict(
      sshMfa || sudoMfa,
      {
        AuthenticationMethods: methods ?? null,
        sshdPamFactors: sshFactors,
        sudoPamFactors: sudoFactors,
        "security.pam.u2f.enable": u2fGlobal,
      },
      {
        anyOf: [
          "sshd: AuthenticationMethods publickey,keyboard-interactive + PAM OTP/U2F",
          "sudo: PAM OTP/U2F",
        ],
      },
      sshMfa ? "SSH requires a key and a second factor" : "sudo requires a second factor",
      "no second factor for SSH logins or sudo",
    );
  },
  remediation:
    'security.pam.services.sshd.googleAuthenticator.enable = true; services.openssh.settings.AuthenticationMethods = "publickey,keyboard-interactive"; services.openssh.settings.KbdInteractiveAuthentication = true; (or security.pam.u2f.enable = true; security.pam.services.sudo.u2fAuth = true;)',
});
