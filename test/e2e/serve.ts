/**
 * Starts the built app for the e2e suite the way production runs it
 * (NODE_ENV=production, a real session secret), on a fresh SQLite file
 * migrated by Prisma and seeded with the demo organisation.
 */
import { prepareDatabase, startServerProcess } from "./server-process.ts";

const databaseUrl = process.env.DATABASE_URL;
const port = Number(process.env.PORT);
if (!databaseUrl || !port) throw new Error("serve.ts needs DATABASE_URL and PORT");

prepareDatabase(databaseUrl);
const server = await startServerProcess({ port, databaseUrl, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void server.stop().then(() => process.exit(0)));
}
server.child.on("exit", (code) => process.exit(code ?? 0));
