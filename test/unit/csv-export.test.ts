import { describe, expect, it } from 'vitest';
import { csvText } from '../../console/src/csv-text.ts';

/** One cell as exported, without the quotes RFC 4180 puts around a cell with a line break. */
const exported = (text: string) =>
  csvText([[text]])
    .replace(/\r\n$/, '')
    .replace(/^"|"$/g, '');

describe("the console's CSV export", () => {
  it('neutralises every cell a spreadsheet could run as a formula', () => {
    const risky = [
      '=1+1',
      '+A1',
      '-cmd',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
      '\n=1+1',
      ' =1+1',
      '\u3000=1',
      '＝1+1',
      '＋1',
      '－1',
      '＠SUM(A1)',
      '\nplain',
    ];
    for (const text of risky) expect(exported(text), JSON.stringify(text)).toBe(`'${text}`);
  });

  it('leaves numbers and plain text alone', () => {
    expect(csvText([['-5', '+1', 3, -2.5, 'plain text', ' spaced', '']])).toBe('-5,+1,3,-2.5,plain text, spaced,\r\n');
  });
});
