/**
 * npm run import -- <file.csv>: posts an invoice CSV to the running Steward (POST /invoices/import).
 * STEWARD_URL (default http://127.0.0.1:$STEWARD_PORT or :3000) and STEWARD_API_TOKEN (default:
 * the token the embedded runtime saved in $STEWARD_DATA_DIR/api-token). Exits 1 with every problem
 * by line and column; nothing is imported then. A long file becomes an import job (202): the script
 * follows it (GET /invoices/imports/<id>) until it is done or failed.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const POLL_MS = 500;

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) {
    console.error(
      'usage: npm run import -- <invoices.csv>\nheader: invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid',
    );
    return 2;
  }
  let csv: string;
  try {
    csv = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    console.error(`cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const url = process.env.STEWARD_URL ?? `http://127.0.0.1:${process.env.STEWARD_PORT || 3000}`;
  let token = process.env.STEWARD_API_TOKEN;
  if (!token) {
    try {
      token = readFileSync(join(resolve(process.env.STEWARD_DATA_DIR || '.steward'), 'api-token'), 'utf8').trim();
    } catch {
      console.error('no API token: set STEWARD_API_TOKEN, or start Steward once so that .steward/api-token exists');
      return 2;
    }
  }
  let response: Response;
  try {
    response = await fetch(`${url}/invoices/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: csv,
    });
  } catch (error) {
    console.error(`cannot reach Steward at ${url}: ${(error as Error).message}`);
    return 1;
  }
  let body = (await response.json().catch(() => ({}))) as {
    id?: string;
    status?: string;
    rows?: number;
    created?: number;
    updated?: number;
    error?: string;
    details?: { line?: number; column?: string; problem: string }[];
  };
  if (!response.ok) {
    console.error(`import refused (${response.status}): ${body.error ?? 'unknown error'}`);
    for (const detail of body.details ?? []) console.error(`  line ${detail.line ?? '-'}, ${detail.column ?? '-'}: ${detail.problem}`);
    return 1;
  }
  if (response.status === 202) {
    console.log(`import job ${body.id}: ${body.rows} rows, running`);
    while (body.status === 'running') {
      await new Promise((done) => setTimeout(done, POLL_MS));
      const poll = await fetch(`${url}/invoices/imports/${body.id}`, { headers: { authorization: `Bearer ${token}` } });
      body = (await poll.json()) as typeof body;
    }
    if (body.status !== 'done') {
      console.error(`import job ${body.id} failed: ${body.error ?? 'unknown error'}`);
      return 1;
    }
  }
  console.log(`imported ${body.rows} rows: ${body.created} created, ${body.updated} updated`);
  return 0;
}

process.exitCode = await main();
