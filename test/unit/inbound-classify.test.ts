import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { affectedRecipients, classifyAutomated, parseMail, referencedIds } from '../../modules/intake/inbound-mail.ts';

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
      const mail = await parseMail(readFileSync(join(FIXTURES, file)));
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
    const parse = async (file: string) => affectedRecipients(await parseMail(readFileSync(join(FIXTURES, file))));
    expect(await parse('sisimai/lhost-amazonses-05.eml')).toContain('bounce@simulator.amazonses.com');
    expect((await parse('sisimai/lhost-amazonses-10.eml')).length).toBeGreaterThan(0);
    expect((await parse('sisimai/arf-12.eml')).length).toBeGreaterThan(0);
  });
});

describe('reading a message', () => {
  const message = (headers: string) => Buffer.from(`${headers}\r\nFrom: Ann <Ann@Acme.test>\r\nSubject: Hi\r\n\r\nHello\r\n`);

  it('keeps a Message-ID in angle brackets whatever the sender wrote: de-duplication keys of stored messages stay the same', async () => {
    expect((await parseMail(message('Message-ID: abc@host.test'))).messageId).toBe('<abc@host.test>');
    expect((await parseMail(message('Message-ID:  <abc@host.test> '))).messageId).toBe('<abc@host.test>');
    expect((await parseMail(message('X-Other: 1'))).messageId).toBeUndefined();
  });

  it('threads on every References header and In-Reply-To, each id once', async () => {
    const mail = await parseMail(readFileSync(join(FIXTURES, 'mikel-mail/multiple_references_with_one_invalid.eml')));
    expect(mail.references.slice(0, 2)).toEqual(['<foo@bar.net>', '<baz@bar.net>']);
    const reply = await parseMail(message('In-Reply-To: <a@x.test>\r\nReferences: <b@x.test> <a@x.test>\r\nReferences: <c@x.test>'));
    expect(referencedIds(reply)).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
  });

  it('decodes the charsets Japanese and Korean mail still uses, and takes the From address as sent', async () => {
    const read = (file: string) => parseMail(readFileSync(join(FIXTURES, file)));
    expect((await read('mikel-mail/japanese_iso_2022.eml')).subject).toBe('まみむめも');
    expect((await read('mikel-mail/japanese_shift_jis.eml')).text).toContain('このメールはテスト用のメールです。');
    expect((await read('mikel-mail/ks_c_5601-1987.eml')).text).toContain('스티해');
    expect((await parseMail(message('X-Other: 1'))).from).toBe('Ann@Acme.test');
  });

  it("keeps a report's parts as attachments and its human-readable part as the text", async () => {
    const bounce = await parseMail(readFileSync(join(FIXTURES, 'sisimai/lhost-amazonses-05.eml')));
    expect(bounce.attachments.map((part) => part.contentType)).toEqual(['message/delivery-status', 'message/rfc822']);
    expect(bounce.text).not.toContain('Final-Recipient');
  });
});
