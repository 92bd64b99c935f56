import type { Command } from "commander";

export function registerMachinesCommand(_program: Command): void {
  // Filled in by the work on this command group.
}
