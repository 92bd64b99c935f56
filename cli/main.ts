#!/usr/bin/env node
/** The `nixfleet` entry point: the only place where errors become exit codes. */
import { Command, CommanderError } from "commander";
import { exitCodeFor, formatError } from "./errors.js";
import { commandGroups } from "./groups.js";

export function buildProgram(): Command {
  const program = new Command("nixfleet")
    .description("Compliance-centric fleet management for NixOS and macOS")
    .version(process.env.npm_package_version ?? "0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of commandGroups) register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
