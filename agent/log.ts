/**
 * The agent's structured log: one JSON object per line on stderr (journald / launchd capture it), pino's
 * field names (level, time, msg). Not pino itself: the agent is resident on every machine and pino's module
 * graph costs ~7 MB of RSS that the idle-memory budget (60 MB) cannot spare. See ADR 0501.
 */
import type { AgentLog } from "./agent.js";

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, silent: Number.POSITIVE_INFINITY } as const;
export type LogLevel = keyof typeof LEVELS;

// Keys whose values never reach a log line.
const SECRET_KEYS = /^(token|authorization|key|password|secret)$/i;

function redact(_key: string, value: unknown): unknown {
  return SECRET_KEYS.test(_key) && typeof value === "string" ? "[redacted]" : value;
}

export function createAgentLog(
  level: LogLevel,
  base: Record<string, unknown>,
  write: (line: string) => void = (line) => process.stderr.write(line),
): AgentLog {
  const threshold = LEVELS[level];
  const emit = (lvl: Exclude<LogLevel, "silent">, obj: object, msg: string) => {
    if (LEVELS[lvl] < threshold) return;
    write(`${JSON.stringify({ level: LEVELS[lvl], time: Date.now(), ...base, ...obj, msg }, redact)}\n`);
  };
  return {
    debug: (obj, msg) => emit("debug", obj, msg),
    info: (obj, msg) => emit("info", obj, msg),
    warn: (obj, msg) => emit("warn", obj, msg),
    error: (obj, msg) => emit("error", obj, msg),
  };
}
