/**
 * Lengths as DynamoDB counts them: a key attribute is bounded in UTF-8 bytes (partition key 2,048,
 * sort key 1,024), so a value that becomes part of a key is measured in bytes, not characters.
 */
export const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

/** What a clipped value ends with, so a reader sees it was cut. */
export const CLIPPED_MARK = '…';

/**
 * The value cut to at most `maxBytes` UTF-8 bytes (the mark included), never inside a character;
 * the value itself when it fits.
 */
export function clipUtf8(value: string, maxBytes: number): string {
  if (utf8Bytes(value) <= maxBytes) return value;
  const room = maxBytes - utf8Bytes(CLIPPED_MARK);
  let bytes = 0;
  let end = 0;
  for (const character of value) {
    const size = utf8Bytes(character);
    if (bytes + size > room) break;
    bytes += size;
    end += character.length;
  }
  return value.slice(0, end) + CLIPPED_MARK;
}

/** The value cut to at most `maxCharacters` characters (code points, the mark included), never inside a character. */
export function clipText(value: string, maxCharacters: number): string {
  const characters = [...value];
  return characters.length <= maxCharacters ? value : characters.slice(0, maxCharacters - 1).join('') + CLIPPED_MARK;
}
