/**
 * A server process that dies in the middle of a CSV import: it imports a
 * file of `rows` people and is killed with SIGKILL as soon as the second
 * chunk has committed (people, links, audit events and held mails written;
 * the import not finished).
 *
 *   tsx test/processes/crash-during-import.ts <adminId> <rows>
 *
 * DATABASE_URL names the database. Exits 3 if it was not killed.
 */
export {};

const [adminId, rows] = process.argv.slice(2);
if (!adminId || !rows) throw new Error("usage: <adminId> <rows>");

const { startOutboxDispatcher } = await import("#app/commands/outbox-dispatcher.server.ts");
const { applyImport } = await import("#app/models/user-import.server.ts");
await startOutboxDispatcher();
let chunks = 0;
await applyImport({
  actorId: adminId,
  linkBase: "http://127.0.0.1",
  csv: [
    "name,email,manager email",
    ...Array.from(
      { length: Number(rows) },
      (_, i) => `Person ${i},crash${i}@import.test,${i === 0 ? "" : "crash0@import.test"}`,
    ),
  ].join("\n"),
  now: new Date(),
  onChunkWritten: () => {
    if (++chunks === 2) process.kill(process.pid, "SIGKILL");
  },
});
console.error("the process was not killed during the import");
process.exit(3);
