/** TCP check: healthy when a connection to host:port is accepted within the timeout. */
import { connect } from "node:net";
import type { Probe } from "./types.js";

export const tcpProbe: Probe = (check, timeoutMs) =>
  new Promise((resolve) => {
    if (!check.port) {
      resolve({ status: "error", message: "tcp check without a port" });
      return;
    }
    const host = check.host ?? "127.0.0.1";
    const socket = connect({ host, port: check.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ status: "fail", message: `${host}:${check.port}: no connection within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: "pass", message: `${host}:${check.port} accepts connections` });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      // A name that does not resolve says nothing about the service: inconclusive.
      const status = err.code === "ENOTFOUND" || err.code === "EAI_AGAIN" ? "error" : "fail";
      resolve({ status, message: `${host}:${check.port}: ${err.code ?? err.message}` });
    });
  });
