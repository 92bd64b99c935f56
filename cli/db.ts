import type { Command } from "commander";

export function registerDbCommand(_program: Command): void {
  // Filled in by the work on this command group.
}
