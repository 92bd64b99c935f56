/** Time as an argument: the gate accepts epoch milliseconds, a Date or an ISO 8601 string. */
export type Instant = number | Date | string;

/** Epoch milliseconds of an instant; NaN when a string does not parse. */
export function toMillis(instant: Instant): number {
  if (typeof instant === "number") return instant;
  if (instant instanceof Date) return instant.getTime();
  return Date.parse(instant);
}

/** ISO 8601 (UTC, milliseconds) of an instant. */
export function toIso(instant: Instant): string {
  return new Date(toMillis(instant)).toISOString();
}
