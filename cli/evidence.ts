import type { Command } from "commander";

export function registerEvidenceCommand(_program: Command): void {
  // Filled in by the work on this command group.
}
