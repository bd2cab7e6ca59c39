/**
 * An amount as its reader writes it: the currency's own minor units (no decimals for yen, two for
 * euros), grouped, with its symbol, in the conventions of the reader's country ("€1,750.00" in
 * Germany, "¥1,200,000" in Japan, "R 1 000,50" in South Africa). Emails are in English, so the
 * language is English and the country sets the rest.
 */
export function moneyInWords(amount: number, currency: string, country?: string): string {
  const locale = country && /^[A-Z]{2}$/.test(country) ? `en-${country}` : 'en';
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch {
    // A currency code Intl does not know: the amount and the code, as before.
    return `${amount.toFixed(2)} ${currency}`;
  }
}
