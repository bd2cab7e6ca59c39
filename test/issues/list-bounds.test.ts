import { describe, expect, it } from 'vitest';
import { IssueRepository, openIssue } from '../../modules/issues/index.ts';
import { calendars, defaultPolicy, freezePolicy } from '../../modules/policies/index.ts';
import { acme, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

/** Stores issues of acme as the API would (no workflow started): a list's size, not its lives, is under test. */
async function storeIssues(count: number, description: string) {
  const repo = new IssueRepository(env.runtime.store);
  const policy = freezePolicy(defaultPolicy, 'sev4');
  const ctx = { now: new Date('2026-11-02T08:00:00Z'), calendars: calendars(policy, acme) };
  for (let start = 0; start < count; start += 25)
    await Promise.all(
      Array.from({ length: Math.min(25, count - start) }, (_, n) =>
        repo.createIssue(
          openIssue(
            `ISS-${50_000 + start + n}`,
            {
              customerId: 'acme',
              title: `Stored ${start + n}`,
              description,
              severity: 'sev4',
              impact: '',
              runningOnBackup: false,
              source: 'api',
            },
            policy,
            ctx,
          ),
        ),
      ),
    );
}

describe('issue lists are bounded', () => {
  it('GET /issues?customerId= answers at most 1,000 issues and under 4 MB, with `next` to go on; the pages after hold the rest', async () => {
    await storeIssues(1_010, 'x'.repeat(2_500));
    const first = await env.client.get('/issues?customerId=acme');
    expect(first.status).toBe(200);
    expect(first.body.issues.length).toBeLessThanOrEqual(1_000);
    expect(JSON.stringify(first.body).length).toBeLessThan(4_100_000);
    expect(first.body.next).toBe(first.body.issues.at(-1).id);
    const seen = new Set<string>(first.body.issues.map((issue: { id: string }) => issue.id));
    let after: string | undefined = first.body.next;
    while (after) {
      const page = await env.client.get(`/issues?customerId=acme&limit=500&after=${after}`);
      expect(page.status).toBe(200);
      for (const issue of page.body.issues) {
        expect(seen.has(issue.id), issue.id).toBe(false);
        seen.add(issue.id);
      }
      after = page.body.next;
    }
    expect(seen.size).toBe(1_010);
  }, 240_000);
});
