/** The shape of a control: every file in controls/catalog/ exports one `Control`. Pure: no I/O, no clock. */
import type {
  ControlStatus,
  FrameworkId,
  RequirementMapping,
  Severity,
} from "../schemas/generated/control-result.js";
import type { Facts } from "../schemas/generated/facts.js";
import type { RuntimeReport } from "../schemas/generated/runtime-report.js";

export type { ControlStatus, Facts, FrameworkId, RequirementMapping, RuntimeReport, Severity };

/** ANSSI BP-028 hardening levels, in increasing order. */
export type AnssiLevel = "minimal" | "intermediary" | "enhanced" | "high";
export const ANSSI_LEVELS: readonly AnssiLevel[] = ["minimal", "intermediary", "enhanced", "high"];

/** What a check returns: the host and control are filled in by the runner. */
export interface CheckOutcome {
  status: Exclude<ControlStatus, "waived">;
  observed: unknown;
  expected: unknown;
  message: string;
}

export interface Control {
  /** Stable id, lower-case, e.g. "ssh-no-root-login". */
  id: string;
  title: string;
  severity: Severity;
  /** The lowest BP-028 level at which this control applies. */
  level: AnssiLevel;
  /** Platforms the control applies to; a host of another platform is not-applicable. */
  platforms: readonly ("nixos" | "darwin")[];
  mappings: readonly RequirementMapping[];
  /** NIS2 entity types for which the control is required (absent: both). */
  nis2Entities?: readonly ("essential" | "important")[];
  /** The eval-time check on facts. */
  eval(facts: Facts): CheckOutcome;
  /** The runtime check on what an agent observed, where one makes sense. */
  runtime?(report: RuntimeReport, facts?: Facts): CheckOutcome;
  /** What to set in the NixOS configuration to fix a failure. */
  remediation: string;
}

/** A requirement of a framework, as listed in controls/frameworks/. */
export interface Requirement {
  id: string;
  title: string;
  /** BP-028 only. */
  level?: AnssiLevel;
  /** true when the requirement is met by documents (policies, procedures), not by machine state. */
  organisational?: boolean;
  /** What document evidences an organisational requirement. */
  evidenceByDocument?: string;
}

export interface Framework {
  id: FrameworkId;
  title: string;
  requirements: readonly Requirement[];
}
