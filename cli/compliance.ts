import type { Command } from "commander";

export function registerComplianceCommand(_program: Command): void {
  // Filled in by the work on this command group.
}
