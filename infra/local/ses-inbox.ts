import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** An email as the SES emulator keeps it (what `GET /store` lists). */
interface InboxEmail {
  messageId: string;
  [field: string]: unknown;
}

/** The emulator's store module: the same instance its request handlers save into (CommonJS, cached). */
const sesStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as {
  saveEmail: (email: InboxEmail) => void;
  getStoreReadonly: () => { emails: InboxEmail[] };
};

/**
 * Keeps the local inbox (every email the SES emulator took) in a file of the data folder, so a
 * restart keeps the record of what Steward sent, as it keeps everything else: the file is read
 * back at start, and each email is appended, one JSON line, before the emulator answers the send
 * (a kill at any moment loses none it answered; a line a kill cut short is skipped). The emulator
 * keeps its inbox in memory only; `--in-memory` runs do not call this.
 */
export function keepInbox(file: string): { stop(): void } {
  const inbox = () => sesStore.getStoreReadonly().emails;
  const known = new Set(inbox().map((email) => email.messageId));
  if (existsSync(file))
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const email = JSON.parse(line) as InboxEmail;
        if (!known.has(email.messageId)) {
          inbox().push(email);
          known.add(email.messageId);
        }
      } catch {
        // the last line, cut short by a kill
      }
    }
  if (!original) {
    original = sesStore.saveEmail;
    const save = original;
    sesStore.saveEmail = (email) => {
      for (const kept of files) appendFileSync(kept, `${JSON.stringify(email)}\n`);
      save(email);
    };
  }
  files.add(file);
  return { stop: () => void files.delete(file) };
}

/** The inbox files of the runtimes running in this process (tests run several, one after another), and the emulator's own save. */
const files = new Set<string>();
let original: ((email: InboxEmail) => void) | undefined;
