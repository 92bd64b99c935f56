import type { Command } from "commander";

export function registerAgentCommand(_program: Command): void {
  // Filled in by the work on this command group.
}
