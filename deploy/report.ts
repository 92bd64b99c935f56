/** Telling the control plane what a direct deploy did, so its inventory matches the fleet. */
import type { HostOutcome } from "./host.js";

export interface ReportOutcome {
  url: string;
  ok: boolean;
  status?: number;
  message?: string;
}

/** Posts one host's outcome; never throws (an unreachable control plane must not undo a deploy). */
export async function reportDeployment(
  baseUrl: string,
  token: string,
  outcome: HostOutcome,
  operation: "deploy" | "rollback",
): Promise<ReportOutcome> {
  const url = new URL(
    `api/v1/machines/${encodeURIComponent(outcome.host)}/deployments`,
    baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`,
  ).toString();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ operation, ...outcome }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return res.ok
      ? { url, ok: true, status: res.status }
      : { url, ok: false, status: res.status, message: text.slice(0, 500) };
  } catch (err) {
    return { url, ok: false, message: (err as Error).message };
  }
}
