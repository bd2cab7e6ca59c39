import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { affectedRecipients, classifyAutomated } from '../../modules/intake/inbound-mail.ts';

// Copied unchanged (with their license files) from ../shared/fixtures: see test/fixtures/README.md.
const FIXTURES = join(import.meta.dirname, '../fixtures/email');

/** Every public fixture and what it is. A person's message is "new" until threading finds its issue (tested with the runtime). */
const expected: Record<string, 'new' | 'auto-reply' | 'bounce' | 'complaint'> = {
  'mailparser/base64encodedroot.eml': 'new',
  'mailparser/decoderended.eml': 'new',
  'mailparser/delivery-status.eml': 'bounce',
  'mailparser/mixed.eml': 'new',
  'mailparser/nested.eml': 'new',
  'mailparser/nodemailer.eml': 'new',
  'mailparser/spam.eml': 'new',
  'mikel-mail/bad_date_header.eml': 'auto-reply', // Precedence: junk
  'mikel-mail/bad_date_header2.eml': 'new',
  'mikel-mail/empty_in_reply_to.eml': 'new',
  'mikel-mail/japanese.eml': 'new',
  'mikel-mail/japanese_attachment.eml': 'new',
  'mikel-mail/japanese_attachment_long_name.eml': 'new',
  'mikel-mail/japanese_iso_2022.eml': 'new',
  'mikel-mail/japanese_shift_jis.eml': 'new',
  'mikel-mail/ks_c_5601-1987.eml': 'new',
  'mikel-mail/multiple_references_with_one_invalid.eml': 'new',
  'mikel-mail/quoted-printable.eml': 'new',
  'mikel-mail/utf7.eml': 'new',
  'sisimai/arf-02.eml': 'complaint',
  'sisimai/arf-12.eml': 'complaint',
  'sisimai/arf-14.eml': 'complaint',
  'sisimai/is-not-bounce-01.eml': 'new',
  'sisimai/is-not-bounce-02.eml': 'new',
  'sisimai/lhost-amazonses-01.eml': 'bounce',
  'sisimai/lhost-amazonses-05.eml': 'bounce',
  'sisimai/lhost-amazonses-09.eml': 'bounce',
  'sisimai/lhost-amazonses-10.eml': 'bounce',
  'sisimai/lhost-amazonses-17.eml': 'bounce',
  'sisimai/rb-issue-368-bug.eml': 'bounce', // a plain-text "Mailbox full" bounce from postmaster
  'sisimai/rfc3834-01.eml': 'auto-reply',
  'sisimai/rfc3834-02.eml': 'auto-reply',
  'sisimai/rfc3834-03.eml': 'auto-reply',
  'sisimai/rfc3834-04.eml': 'auto-reply',
  'sisimai/rfc3834-05.eml': 'auto-reply',
  'sisimai/rfc3834-06.eml': 'auto-reply',
};

describe('inbound classification of every public fixture', () => {
  for (const [file, kind] of Object.entries(expected)) {
    it(`${file} → ${kind}`, async () => {
      const mail = await simpleParser(readFileSync(join(FIXTURES, file)));
      expect(classifyAutomated(mail)?.kind ?? 'new').toBe(kind);
    });
  }

  it('covers every .eml file in the fixtures folder', async () => {
    const { readdirSync } = await import('node:fs');
    const all = readdirSync(FIXTURES, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.eml'))
      .sort();
    expect(all).toEqual(Object.keys(expected).sort());
  });

  it('finds the address a bounce or complaint is about', async () => {
    const parse = async (file: string) => affectedRecipients(await simpleParser(readFileSync(join(FIXTURES, file))));
    expect(await parse('sisimai/lhost-amazonses-05.eml')).toContain('bounce@simulator.amazonses.com');
    expect((await parse('sisimai/lhost-amazonses-10.eml')).length).toBeGreaterThan(0);
    expect((await parse('sisimai/arf-12.eml')).length).toBeGreaterThan(0);
  });
});
