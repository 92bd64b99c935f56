/**
 * The control catalog and its pure runners. Everything here is a function of its arguments: no I/O, no clock.
 * - `catalog`: every control, sorted by id; `getControl(id)`.
 * - `selectControls({frameworks, level, entity})`: BP-028 level filtering (a host at level L gets controls of
 *   level ≤ L) and NIS2 entity filtering (controls marked essential-only are dropped for important entities).
 * - `coverageByRequirement()` and `organisationalMeasures`: which requirement is met by which control, and an
 *   explicit "organisational measure: evidence by document" entry for NIS2 points that machines cannot evidence.
 * - `evaluateHost`, `evaluateRuntime`, `detectDrift`: controls → ControlResult[].
 */
import { control as adminAccountability } from "./catalog/admin-accountability.js";
import { control as auditRulesCoverage } from "./catalog/audit-rules-coverage.js";
import { control as auditdEnabled } from "./catalog/auditd-enabled.js";
import { control as backupsConfigured } from "./catalog/backups-configured.js";
import { control as bootLoaderProtected } from "./catalog/boot-loader-protected.js";
import { control as darwinFirewallStealth } from "./catalog/darwin-firewall-stealth.js";
import { control as darwinGuestDisabled } from "./catalog/darwin-guest-disabled.js";
import { control as darwinScreenLock } from "./catalog/darwin-screen-lock.js";
import { control as diskEncryption } from "./catalog/disk-encryption.js";
import { control as firewallEnabled } from "./catalog/firewall-enabled.js";
import { control as firewallListeningServices } from "./catalog/firewall-listening-services.js";
import { control as ipv6Hardened } from "./catalog/ipv6-hardened.js";
import { control as journaldPersistent } from "./catalog/journald-persistent.js";
import { control as journaldRetention } from "./catalog/journald-retention.js";
import { control as kernelImageProtected } from "./catalog/kernel-image-protected.js";
import { control as kernelIommu } from "./catalog/kernel-iommu.js";
import { control as kernelLockdown } from "./catalog/kernel-lockdown.js";
import { control as kernelMemoryParams } from "./catalog/kernel-memory-params.js";
import { control as kernelModulesLocked } from "./catalog/kernel-modules-locked.js";
import { control as logRemoteForwarding } from "./catalog/log-remote-forwarding.js";
import { control as macApparmor } from "./catalog/mac-apparmor.js";
import { control as mfaPam } from "./catalog/mfa-pam.js";
import { control as mountOptions } from "./catalog/mount-options.js";
import { control as nixRequireSigs } from "./catalog/nix-require-sigs.js";
import { control as nixTrustedUsers } from "./catalog/nix-trusted-users.js";
import { control as noEmptyPasswords } from "./catalog/no-empty-passwords.js";
import { control as noPlaintextPasswords } from "./catalog/no-plaintext-passwords.js";
import { control as packagesMinimal } from "./catalog/packages-minimal.js";
import { control as passwordHashStrong } from "./catalog/password-hash-strong.js";
import { control as rootLoginLocked } from "./catalog/root-login-locked.js";
import { control as secureBoot } from "./catalog/secure-boot.js";
import { control as serviceSandboxing } from "./catalog/service-sandboxing.js";
import { control as servicesMinimal } from "./catalog/services-minimal.js";
import { control as setuidWrappersMinimal } from "./catalog/setuid-wrappers-minimal.js";
import { control as sshIdleTimeout } from "./catalog/ssh-idle-timeout.js";
import { control as sshMaxAuthTries } from "./catalog/ssh-max-auth-tries.js";
import { control as sshNoKbdInteractive } from "./catalog/ssh-no-kbd-interactive.js";
import { control as sshNoPasswordAuth } from "./catalog/ssh-no-password-auth.js";
import { control as sshNoRootLogin } from "./catalog/ssh-no-root-login.js";
import { control as sshNoX11Forwarding } from "./catalog/ssh-no-x11-forwarding.js";
import { control as sshStrongCrypto } from "./catalog/ssh-strong-crypto.js";
import { control as sudoDefaultsHardened } from "./catalog/sudo-defaults-hardened.js";
import { control as sudoExecWheelOnly } from "./catalog/sudo-exec-wheel-only.js";
import { control as sudoRulesRestricted } from "./catalog/sudo-rules-restricted.js";
import { control as sudoWheelPassword } from "./catalog/sudo-wheel-password.js";
import { control as swapEncryption } from "./catalog/swap-encryption.js";
import { control as sysctlFsProtection } from "./catalog/sysctl-fs-protection.js";
import { control as sysctlKernelHardening } from "./catalog/sysctl-kernel-hardening.js";
import { control as sysctlNetworkIpv4 } from "./catalog/sysctl-network-ipv4.js";
import { control as sysctlYamaPtrace } from "./catalog/sysctl-yama-ptrace.js";
import { control as timeSync } from "./catalog/time-sync.js";
import { control as tmpOnTmpfs } from "./catalog/tmp-on-tmpfs.js";
import { control as umaskRestrictive } from "./catalog/umask-restrictive.js";
import { control as updatesLockFresh } from "./catalog/updates-lock-fresh.js";
import { control as updatesLockFreshEssential } from "./catalog/updates-lock-fresh-essential.js";
import { control as usersImmutable } from "./catalog/users-immutable.js";
import { LEVEL_RANK } from "./check.js";
import { frameworks } from "./frameworks/index.js";
import type { AnssiLevel, Control, Framework, FrameworkId, Requirement } from "./types.js";

export { DRIFT_FAMILIES, detectDrift } from "./drift.js";
export { formatOptionPath, getPath, parseOptionPath } from "./facts-path.js";
export { evaluateHost, evaluateRuntime } from "./runner.js";
export { withLockAge } from "./updates.js";
export type { AnssiLevel, Control, Framework, FrameworkId, Requirement };
export { frameworks };

/** Every control, sorted by id. */
export const catalog: readonly Control[] = [
  adminAccountability,
  auditRulesCoverage,
  auditdEnabled,
  backupsConfigured,
  bootLoaderProtected,
  darwinFirewallStealth,
  darwinGuestDisabled,
  darwinScreenLock,
  diskEncryption,
  firewallEnabled,
  firewallListeningServices,
  ipv6Hardened,
  journaldPersistent,
  journaldRetention,
  kernelImageProtected,
  kernelIommu,
  kernelLockdown,
  kernelMemoryParams,
  kernelModulesLocked,
  logRemoteForwarding,
  macApparmor,
  mfaPam,
  mountOptions,
  nixRequireSigs,
  nixTrustedUsers,
  noEmptyPasswords,
  noPlaintextPasswords,
  packagesMinimal,
  passwordHashStrong,
  rootLoginLocked,
  secureBoot,
  serviceSandboxing,
  servicesMinimal,
  setuidWrappersMinimal,
  sshIdleTimeout,
  sshMaxAuthTries,
  sshNoKbdInteractive,
  sshNoPasswordAuth,
  sshNoRootLogin,
  sshNoX11Forwarding,
  sshStrongCrypto,
  sudoDefaultsHardened,
  sudoExecWheelOnly,
  sudoRulesRestricted,
  sudoWheelPassword,
  swapEncryption,
  sysctlFsProtection,
  sysctlKernelHardening,
  sysctlNetworkIpv4,
  sysctlYamaPtrace,
  timeSync,
  tmpOnTmpfs,
  umaskRestrictive,
  updatesLockFresh,
  updatesLockFreshEssential,
  usersImmutable,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const byId = new Map(catalog.map((c) => [c.id, c]));

/** A control by id, or undefined. */
export function getControl(id: string): Control | undefined {
  return byId.get(id);
}

export interface ControlSelection {
  /** Keep controls mapped to at least one of these frameworks (absent: all). */
  frameworks?: readonly FrameworkId[];
  /** BP-028 level of the host: controls of a higher level are left out. */
  level?: AnssiLevel;
  /** NIS2 entity type: controls required only for essential entities are left out for important ones. */
  entity?: "essential" | "important";
}

/** The controls that apply to a profile (frameworks, BP-028 level, NIS2 entity type), in catalog order. */
export function selectControls(
  selection: ControlSelection = {},
  controls: readonly Control[] = catalog,
): Control[] {
  const { frameworks: wanted, level, entity } = selection;
  return controls.filter((c) => {
    if (wanted && wanted.length > 0 && !c.mappings.some((m) => wanted.includes(m.framework))) return false;
    if (level && LEVEL_RANK[c.level] > LEVEL_RANK[level]) return false;
    if (entity && c.nis2Entities && !c.nis2Entities.includes(entity)) return false;
    return true;
  });
}

export interface RequirementCoverage {
  framework: FrameworkId;
  requirement: string;
  title: string;
  organisational: boolean;
  /** Ids of the technical controls mapped to this requirement. */
  controls: string[];
}

/** For every requirement of every framework, the controls mapped to it (empty: not evidenced by machines). */
export function coverageByRequirement(controls: readonly Control[] = catalog): RequirementCoverage[] {
  const out: RequirementCoverage[] = [];
  for (const framework of Object.values(frameworks)) {
    for (const req of framework.requirements) {
      out.push({
        framework: framework.id,
        requirement: req.id,
        title: req.title,
        organisational: req.organisational === true,
        controls: controls
          .filter((c) => c.mappings.some((m) => m.framework === framework.id && m.requirement === req.id))
          .map((c) => c.id),
      });
    }
  }
  return out;
}

export interface OrganisationalMeasure {
  framework: "nis2";
  requirement: string;
  title: string;
  kind: "organisational measure: evidence by document";
  evidenceByDocument: string;
  /** Technical controls that cover the machine side of the point, if any. */
  technicalControls: string[];
}

/**
 * NIS2 Art. 21(2) points (and Art. 23) that need documents: organisational ones, and any point no technical
 * control maps to. Listing them keeps coverage gaps visible instead of silently "green".
 */
export const organisationalMeasures: readonly OrganisationalMeasure[] = coverageByRequirement(catalog)
  .filter((c) => c.framework === "nis2" && (c.organisational || c.controls.length === 0))
  .map((c) => ({
    framework: "nis2" as const,
    requirement: c.requirement,
    title: c.title,
    kind: "organisational measure: evidence by document" as const,
    evidenceByDocument:
      frameworks.nis2.requirements.find((r) => r.id === c.requirement)?.evidenceByDocument ??
      "documented procedure",
    technicalControls: c.controls,
  }));
