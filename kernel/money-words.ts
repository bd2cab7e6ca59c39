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

/** A date as people write it in a list: "1 Dec 2026". */
export function shortDay(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const [year, month, day] = date.slice(0, 10).split('-').map(Number);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${day} ${months[month - 1]} ${year}`;
}
