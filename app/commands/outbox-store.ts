/**
 * The outbox's provider-specific statements (ADR 0032): the "database" mail
 * transport's claim-and-store, which must store each mail exactly once even
 * when two dispatchers (two nodes) hold the same rows.
 */
export type MailToStore = { id: number; to: string; subject: string; text: string };

export type OutboxStore = {
  /**
   * In one transaction: deletes the outbox rows of `mails` that still exist
   * (another dispatcher may have claimed some) and stores exactly those
   * mails, at `at`. Returns the ids it claimed.
   */
  claimAndStoreMails(mails: readonly MailToStore[], at: Date): Promise<Set<number>>;
};
