/** drizzle-kit: `npx drizzle-kit generate` writes SQL migrations for api/db/schema into api/db/migrations (committed). */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./api/db/schema/index.ts",
  out: "./api/db/migrations",
});
