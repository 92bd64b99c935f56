/** Every command group, one file each; each file exports `register…Command(program)`. */
import type { Command } from "commander";
import { registerAgentCommand } from "./agent.js";
import { registerAuditCommand } from "./audit.js";
import { registerCaCommand } from "./ca.js";
import { registerComplianceCommand } from "./compliance.js";
import { registerDbCommand } from "./db.js";
import { registerDemoCommand } from "./demo.js";
import { registerDeployCommand } from "./deploy.js";
import { registerEvidenceCommand } from "./evidence.js";
import { registerMachinesCommand } from "./machines.js";
import { registerPolicyCommand } from "./policy.js";
import { registerReleaseCommand } from "./release.js";
import { registerReportCommand } from "./report.js";
import { registerRolloutCommand } from "./rollout.js";
import { registerSbomCommand } from "./sbom.js";
import { registerServerCommand } from "./server.js";
import { registerTokenCommand } from "./token.js";
import { registerWaiverCommand } from "./waiver.js";

export type RegisterCommand = (program: Command) => void;

export const commandGroups: RegisterCommand[] = [
  registerComplianceCommand,
  registerEvidenceCommand,
  registerReportCommand,
  registerServerCommand,
  registerDbCommand,
  registerTokenCommand,
  registerCaCommand,
  registerMachinesCommand,
  registerReleaseCommand,
  registerSbomCommand, // after release: it adds `release sbom` to that group
  registerAuditCommand,
  registerPolicyCommand,
  registerWaiverCommand,
  registerRolloutCommand,
  registerAgentCommand,
  registerDeployCommand,
  registerDemoCommand,
];

/** The subcommand group `name` of `program`, created on first use, so several files can add to one group. */
export function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}
