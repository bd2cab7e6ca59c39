import type { DynamoStore } from '../../kernel/dynamo-store.ts';
import { strip } from '../../kernel/dynamo-store.ts';

/** Mail set aside for a spam or virus verdict of FAIL: never parsed, never opening an issue; its raw message stays in the mail bucket. */
export interface QuarantinedMail {
  sesMessageId: string;
  /** When SES received it. */
  receivedAt: string;
  /** The envelope sender (SES's `mail.source`), as claimed: nothing of the message itself is read. */
  source: string;
  recipients: string[];
  spamVerdict?: string;
  virusVerdict?: string;
}

/** As long as the mail bucket keeps the raw message (its lifecycle rule). */
const KEPT_DAYS = 90;
/** Listed at most, newest first. */
export const MAX_QUARANTINE_LISTED = 100;

export class MailQuarantine {
  constructor(private readonly store: DynamoStore) {}

  /** Idempotent: a redelivery of the same SES message writes the same item. */
  async setAside(mail: QuarantinedMail): Promise<void> {
    await this.store.put({
      pk: 'QUARANTINE',
      sk: `${mail.receivedAt}#${mail.sesMessageId}`,
      itemType: 'quarantined-mail',
      ...mail,
      expiresAt: Math.floor(Date.parse(mail.receivedAt) / 1000) + KEPT_DAYS * 86_400,
    });
  }

  async newest(limit = MAX_QUARANTINE_LISTED): Promise<QuarantinedMail[]> {
    const items = await this.store.query(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'QUARANTINE' }, ScanIndexForward: false, Limit: limit },
      limit,
    );
    return items.map((item) => {
      const { itemType: _type, expiresAt: _expires, ...mail } = strip(item);
      return mail as unknown as QuarantinedMail;
    });
  }
}
