/**
 * A server process that dies between commit and delivery: it starts the
 * outbox dispatcher as the server does, approves an exemption (a command
 * with a push to agents and a mail), and is killed with SIGKILL at the very
 * first delivery, after the command's transaction committed.
 *
 *   tsx test/processes/crash-during-delivery.ts <exemptionId> <reviewerId>
 *
 * DATABASE_URL names the database. Exits 3 if it was not killed.
 */
export {};

// The state bus's one listener kills the process at the first push.
globalThis.__lullStateBus = new Set([() => void process.kill(process.pid, "SIGKILL")]);

const [exemptionId, reviewerId] = process.argv.slice(2);
if (!exemptionId || !reviewerId) throw new Error("usage: <exemptionId> <reviewerId>");

const { startOutboxDispatcher } = await import("#app/commands/outbox-dispatcher.server.ts");
const { changeExemptionStatus } = await import("#app/models/exemption.server.ts");
await startOutboxDispatcher();
await changeExemptionStatus({
  id: exemptionId,
  actor: { id: reviewerId, role: "REVIEWER" },
  action: "approve",
  note: null,
  now: new Date(),
});
console.error("the process was not killed during delivery");
process.exit(3);
