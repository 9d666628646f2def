import nodemailer, { type Transporter } from "nodemailer";
import { prisma } from "./db.server.ts";
import { getEnv } from "./env.server.ts";

export type Mail = {
  to: string;
  subject: string;
  text: string;
  /** The body works as a credential (a set-password link): never stored in production. */
  sensitive?: boolean;
};

/**
 * The pluggable mail transport. With MAIL_TRANSPORT=smtp(s)://… nodemailer
 * sends; with "database" (development, tests, demo) nodemailer's JSON
 * transport renders the message and it is stored in OutboundEmail instead,
 * with one console line naming recipient and subject (never the body, which
 * may one day hold a link that works as a password).
 */
let transporter: Transporter | undefined;

function getTransporter(): Transporter {
  if (!transporter) {
    const { MAIL_TRANSPORT } = getEnv();
    transporter =
      MAIL_TRANSPORT === "database"
        ? nodemailer.createTransport({ jsonTransport: true })
        : nodemailer.createTransport(MAIL_TRANSPORT);
  }
  return transporter;
}

/**
 * Sends (or stores) one message. Mail is a courtesy on top of the in-app
 * notification: a failure is logged and does not undo what it reports.
 */
export async function sendMail(mail: Mail): Promise<void> {
  const env = getEnv();
  try {
    const { sensitive, ...message } = mail;
    const info = await getTransporter().sendMail({ from: env.MAIL_FROM, ...message });
    if (env.MAIL_TRANSPORT === "database") {
      const rendered = JSON.parse(String(info.message)) as { subject?: string; text?: string };
      // A production database must not hold working links in clear: without SMTP such a
      // message is recorded as withheld (the admin sees a new person's link once on screen).
      const text =
        sensitive && env.isProduction
          ? "[Withheld: this message holds a one-time link. Set MAIL_TRANSPORT to an smtp:// URL to deliver it.]"
          : (rendered.text ?? "");
      await prisma.outboundEmail.create({
        data: { to: mail.to, subject: rendered.subject ?? mail.subject, text },
      });
      if (env.NODE_ENV !== "test")
        console.log(`[mail] to=${mail.to} subject=${JSON.stringify(mail.subject)}`);
    }
  } catch (error) {
    console.error(`[mail] could not send to=${mail.to}: ${(error as Error).message}`);
  }
}
