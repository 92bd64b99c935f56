/** Every command group, one file each; each file exports `register…Command(program)`. Add yours here. */
import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

export const commandGroups: RegisterCommand[] = [];
