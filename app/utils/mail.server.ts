import nodemailer, { type Transporter } from "nodemailer";
import { z } from "zod";
import { getEnv } from "./env.server.ts";

export const MailSchema = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  /** The body works as a credential (a set-password link): never stored in production. */
  sensitive: z.boolean().optional(),
});
export type Mail = z.infer<typeof MailSchema>;

/**
 * The pluggable mail transport. With MAIL_TRANSPORT=smtp(s)://… nodemailer
 * sends; with "database" (development, tests, demo) the message is stored in
 * OutboundEmail instead, with one console line naming recipient and subject
 * (never the body, which may hold a link that works as a password).
 *
 * Nothing here is called by routes or models: a command queues a mail in its
 * outbox and the dispatcher delivers it (app/commands/, ADR 0013).
 */
let transporter: Transporter | undefined;

export function mailIsStoredInDatabase(): boolean {
  return getEnv().MAIL_TRANSPORT === "database";
}

/** The OutboundEmail row for the "database" transport. */
export function storedMail(mail: Mail): { to: string; subject: string; text: string } {
  const env = getEnv();
  // A production database must not hold working links in clear: without SMTP such a
  // message is recorded as withheld (the admin sees a new person's link once on screen).
  const text =
    mail.sensitive && env.isProduction
      ? "[Withheld: this message holds a one-time link. Set MAIL_TRANSPORT to an smtp:// URL to deliver it.]"
      : mail.text;
  return { to: mail.to, subject: mail.subject, text };
}

/** Sends over SMTP; throws when the server refuses (the dispatcher retries). */
export async function sendOverSmtp(mail: Mail): Promise<void> {
  const env = getEnv();
  transporter ??= nodemailer.createTransport(env.MAIL_TRANSPORT);
  const { sensitive: _sensitive, ...message } = mail;
  await transporter.sendMail({ from: env.MAIL_FROM, ...message });
}

export function logMailDelivered(mail: Mail): void {
  if (getEnv().NODE_ENV !== "test")
    console.log(`[mail] to=${mail.to} subject=${JSON.stringify(mail.subject)}`);
}
