/** Readers of /proc files under a configurable root (tests point it at a fake tree). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The text of <root>/<relative>, or null when it cannot be read (absent on this platform, no permission). */
export function readUnderRoot(root: string, relative: string): string | null {
  try {
    return readFileSync(join(root, relative), "utf8");
  } catch {
    return null;
  }
}

/** Every readable file under <root>/proc/sys as dotted key → trimmed value (or only `keys`). */
export function collectSysctl(root: string, keys: string[] | null): Record<string, string> {
  const base = join(root, "proc", "sys");
  const out: Record<string, string> = {};
  if (keys) {
    for (const key of keys) {
      const value = readUnderRoot(base, key.replace(/\./g, "/"));
      if (value !== null) out[key] = value.trim().replace(/\s+/g, "\t");
    }
    return out;
  }
  const walk = (dir: string, prefix: string[]) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries.sort()) {
      const full = join(dir, entry);
      let isDir = false;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(full, [...prefix, entry]);
      else {
        try {
          // /proc/sys values with several fields are tab-separated, as sysctl(8) prints them.
          out[[...prefix, entry].join(".")] = readFileSync(full, "utf8").trim().replace(/\s+/g, "\t");
        } catch {
          // write-only or permission-restricted keys (e.g. vm.compact_memory, fs.binfmt_misc.register)
        }
      }
    }
  };
  walk(base, []);
  return out;
}

/** Kernel command line split into words, honouring double quotes as the kernel does. */
export function collectKernelCmdline(root: string): string[] | null {
  const text = readUnderRoot(root, "proc/cmdline");
  if (text === null) return null;
  const words: string[] = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const m of text.trim().matchAll(re)) words.push(m[0].replace(/"/g, ""));
  return words;
}

/** Decodes the octal escapes /proc/mounts uses for spaces, tabs and backslashes. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

export interface MountEntry {
  device: string;
  mountPoint: string;
  fsType: string;
  options: string[];
}

export function collectMounts(root: string): MountEntry[] | null {
  const text = readUnderRoot(root, "proc/mounts");
  if (text === null) return null;
  const mounts: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const [device, mountPoint, fsType, options] = fields as [string, string, string, string];
    mounts.push({
      device: unescapeMountField(device),
      mountPoint: unescapeMountField(mountPoint),
      fsType,
      options: options.split(","),
    });
  }
  return mounts;
}

export function collectBootId(root: string): string | null {
  const text = readUnderRoot(root, "proc/sys/kernel/random/boot_id");
  return text === null ? null : text.trim();
}
