/** Temporary directories and cleanup actions, undone in reverse order by `cleanupAll()` (call it in afterAll/afterEach). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];

/** Registers an action for the next cleanupAll(). */
export function onCleanup(action: Cleanup): void {
  cleanups.push(action);
}

/** Runs every registered cleanup, newest first; errors are collected, not hidden, and rethrown together. */
export async function cleanupAll(): Promise<void> {
  const errors: unknown[] = [];
  while (cleanups.length > 0) {
    const action = cleanups.pop()!;
    try {
      await action();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} cleanup action(s) failed`);
}

/** A fresh temporary directory, removed at cleanup unless NIXFLEET_KEEP_TMP is set (for debugging). */
export function tempDir(prefix = "nixfleet-e2e-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (!process.env.NIXFLEET_KEEP_TMP) onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
