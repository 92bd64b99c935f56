/**
 * The template's README and docs/nix-guide.md are walkthroughs, so every `nixfleet …` command in their shell
 * blocks must exist in the real CLI with the flags it uses: the commands are checked against the commander tree that cli/main.ts
 * builds (same command groups, same options), without running them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandGroups } from "../../cli/groups.js";
import { repoRoot } from "./nix.js";

function cliProgram(): Command {
  const program = new Command("nixfleet");
  for (const register of commandGroups) register(program);
  return program;
}

/** Shell words of one command line, up to the first pipe, redirection or comment. */
function words(line: string): string[] {
  const out: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    const word = match[1] ?? match[2] ?? match[3] ?? "";
    if (match[3] !== undefined && /^(\||>|&&|;|#)/.test(word)) break;
    out.push(word);
  }
  return out;
}

/** Every `nixfleet …` line of a Markdown file's ```sh blocks. */
function shellCommands(file: string): string[][] {
  const readme = readFileSync(join(repoRoot, file), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  return blocks
    .flatMap((block) => block.split("\n"))
    .map((line) => words(line.trim()))
    .filter((w) => w[0] === "nixfleet");
}

/** Every command of the tree, depth first. */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/**
 * Parses a README line with the real command tree, every action replaced by a recorder: commander checks
 * the command path, unknown options, missing required options and argument counts exactly as when the CLI
 * runs, but nothing is executed. Returns the path of the command that would run, or commander's complaint.
 */
function parseLikeTheCli(argv: string[]): { ran: string | null; complaint: string } {
  const program = cliProgram();
  let ran: string | null = null;
  let complaint = "";
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput({ writeOut: () => {}, writeErr: (text) => (complaint += text) });
    if (command !== program)
      command.action(() => {
        const names: string[] = [];
        for (let c: Command | null = command; c && c !== program; c = c.parent) names.unshift(c.name());
        ran = names.join(" ");
      });
  }
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    complaint ||= String(err);
  }
  return { ran, complaint };
}

describe("templates/default/README.md", () => {
  const commands = shellCommands("templates/default/README.md");

  it("walks through compliance-check, release and rollout", () => {
    const used = commands.map((argv) => argv.slice(1, 3).join(" "));
    expect(used).toEqual(
      expect.arrayContaining(["compliance-check --flake", "release create", "rollout start"]),
    );
  });

  it.each(commands.map((argv) => [argv.join(" "), argv]))("`%s` parses with the real CLI", (_line, argv) => {
    const words = (argv as string[]).slice(1);
    const { ran, complaint } = parseLikeTheCli(words);
    expect(complaint).toBe("");
    expect(ran).not.toBeNull();
  });
});

describe("docs/nix-guide.md", () => {
  it.each(shellCommands("docs/nix-guide.md").map((argv) => [argv.join(" "), argv]))(
    "`%s` parses with the real CLI",
    (_line, argv) => {
      const { ran, complaint } = parseLikeTheCli((argv as string[]).slice(1));
      expect(complaint).toBe("");
      expect(ran).not.toBeNull();
    },
  );
});
