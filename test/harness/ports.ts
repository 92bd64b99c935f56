/** Free TCP ports on loopback, from the kernel (bind to port 0), not guessed. */
import { createServer } from "node:net";

/** A port that was free a moment ago; the caller binds it right away. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("no port"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
