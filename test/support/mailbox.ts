/**
 * The local mailbox (aws-ses-v2-local, local/mailbox.ts), read as a person reads their inbox: the
 * e-mails to one address, and the code in one of them.
 */
export interface Mail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** The headers the sender set itself (List-Unsubscribe, …). */
  headers: Record<string, string>;
  /** Epoch seconds. */
  at: number;
}

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

/** Every e-mail to `address` so far, oldest first. */
export async function inbox(mailboxUrl: string, address: string): Promise<Mail[]> {
  const response = await fetch(`${mailboxUrl}/store`);
  if (!response.ok) throw new Error(`The mailbox answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  const wanted = address.toLowerCase();
  return emails
    .filter((email) =>
      email.destination.to.some((to) => to.toLowerCase() === wanted || to.toLowerCase().endsWith(`<${wanted}>`)),
    )
    .map((email) => ({
      messageId: email.messageId,
      from: email.from,
      to: email.destination.to,
      subject: email.subject,
      text: email.body.text ?? '',
      headers: Object.fromEntries((email.headers ?? []).map((header) => [header.name.toLowerCase(), header.value])),
      at: email.at,
    }));
}

/** Waits until `address` has received its `nth` e-mail (1 is the first), and returns that one. */
export async function nthMail(mailboxUrl: string, address: string, nth: number, timeoutMs = 10_000): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await inbox(mailboxUrl, address);
    if (mails.length >= nth) return mails[nth - 1]!;
    if (Date.now() > deadline) {
      throw new Error(`${address} has ${mails.length} e-mails, not ${nth}, after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until `address` has an e-mail whose text holds `text`, and returns the first such. */
export async function mailWith(mailboxUrl: string, address: string, text: string, timeoutMs = 15_000): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await inbox(mailboxUrl, address)).find((mail) => mail.text.includes(text));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No e-mail to ${address} holds "${text}" after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The 6-digit code in an e-mail. */
export function codeIn(mail: Mail): string {
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  if (!code) throw new Error(`No code in the e-mail "${mail.subject}": ${mail.text}`);
  return code;
}

/** The code of the `nth` e-mail to `address` (by default its first: the sign-up's). */
export async function codeFor(mailboxUrl: string, address: string, nth = 1): Promise<string> {
  return codeIn(await nthMail(mailboxUrl, address, nth));
}
