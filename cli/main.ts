#!/usr/bin/env node
/** The `nixfleet` entry point: the only place where errors become exit codes. */
import { Command, CommanderError } from "commander";
import { exitCodeFor, formatError } from "./errors.js";
import type { RegisterCommand } from "./groups.js";

export function buildProgram(commandGroups: RegisterCommand[]): Command {
  const program = new Command("nixfleet")
    .description("Compliance-centric fleet management for NixOS and macOS")
    .version(process.env.npm_package_version ?? "0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of commandGroups) register(program);
  return program;
}

/**
 * `nixfleet agent` loads only its own group: the agent stays resident on every machine and the other groups
 * pull in the control plane, PDF rendering and more (idle-memory budget 60 MB, docs/adr/0501). Others load all.
 */
async function commandGroupsFor(argv: string[]): Promise<RegisterCommand[]> {
  if (argv[2] === "agent") return [(await import("./agent.js")).registerAgentCommand];
  // CI runs compliance-check on every push: its start-up is budgeted at 4× a bare Node start (issue 2).
  if (argv[2] === "compliance-check") return [(await import("./compliance.js")).registerComplianceCommand];
  return (await import("./groups.js")).commandGroups;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram(await commandGroupsFor(argv));
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0)
        return 0;
      return 2; // commander already printed the usage problem
    }
    process.stderr.write(`nixfleet: ${formatError(err)}\n`);
    return exitCodeFor(err);
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`nixfleet: internal error: ${String(err)}\n`);
    process.exitCode = 70;
  },
);
