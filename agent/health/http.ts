/** HTTP check: expected status, optional body regex, TLS verified against a CA file or (explicitly) not at all. */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Probe } from "./types.js";

const MAX_BODY = 1024 * 1024;

export const httpProbe: Probe = (check, timeoutMs) =>
  new Promise((resolve) => {
    if (!check.url) {
      resolve({ status: "error", message: "http check without a url" });
      return;
    }
    let url: URL;
    try {
      url = new URL(check.url);
    } catch {
      resolve({ status: "error", message: `invalid url ${check.url}` });
      return;
    }
    let bodyPattern: RegExp | null = null;
    try {
      bodyPattern = check.bodyMatch ? new RegExp(check.bodyMatch) : null;
    } catch (err) {
      resolve({ status: "error", message: `invalid bodyMatch: ${(err as Error).message}` });
      return;
    }
    let ca: Buffer | undefined;
    if (check.caFile) {
      try {
        ca = readFileSync(check.caFile);
      } catch (err) {
        resolve({ status: "error", message: `cannot read caFile: ${(err as Error).message}` });
        return;
      }
    }
    const expected = check.expectStatus ?? 200;
    const isHttps = url.protocol === "https:";
    const req = (isHttps ? httpsRequest : httpRequest)(
      url,
      isHttps
        ? { method: "GET", ca, rejectUnauthorized: !check.insecureTls, timeout: timeoutMs }
        : { method: "GET", timeout: timeoutMs },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk;
        });
        res.on("end", () => {
          if (res.statusCode !== expected) {
            resolve({
              status: "fail",
              message: `${check.url}: status ${res.statusCode}, expected ${expected}`,
            });
          } else if (bodyPattern && !bodyPattern.test(body)) {
            resolve({ status: "fail", message: `${check.url}: body does not match /${check.bodyMatch}/` });
          } else {
            resolve({ status: "pass", message: `${check.url}: status ${res.statusCode}` });
          }
        });
        res.on("error", (err) => resolve({ status: "fail", message: `${check.url}: ${err.message}` }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      const status = err.code === "ENOTFOUND" || err.code === "EAI_AGAIN" ? "error" : "fail";
      resolve({ status, message: `${check.url}: ${err.code ?? ""} ${err.message}`.replace(/\s+/g, " ") });
    });
    req.end();
  });
