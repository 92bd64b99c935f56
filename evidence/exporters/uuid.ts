/**
 * Deterministic UUIDs for OSCAL: a name-based UUID in the style of RFC 4122 version 5, but over SHA-256
 * (first 16 bytes, version nibble 5, variant 10), so the same content always gets the same uuid and an
 * exported document is byte-for-byte reproducible. See docs/adr/0200-evidence-canonical-json-ed25519-oscal-uuids.md.
 */
import { createHash } from "node:crypto";

/** Our namespace: contentUuid(["https://nixfleet.dev/oscal"], "") (checked in uuid.test.ts). */
export const NIXFLEET_OSCAL_NAMESPACE = "f838f853-b793-520a-b935-88fc8e9bfde2";

/** A stable uuid for the given name parts within a namespace. */
export function contentUuid(parts: readonly string[], namespace: string = NIXFLEET_OSCAL_NAMESPACE): string {
  const hash = createHash("sha256");
  hash.update(namespace);
  // Length-prefix each part so ["ab","c"] and ["a","bc"] differ.
  for (const p of parts) hash.update(`${p.length}:${p}`);
  const b = hash.digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
