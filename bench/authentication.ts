/**
 * What authentication costs per request, in one run: the bootstrap bearer token (the check every
 * request had before users), a personal token (a DynamoDB read of its hash) and a sign-in JWT (an
 * RSA signature against the issuer's cached keys, then the user by email). Measured twice: the
 * check alone (callerOf), and whole GET /issues?limit=1 requests through the embedded HTTP API.
 * The credentials take turns within each round, so a noisy neighbour slows all three alike.
 */
import { callerOf } from '../modules/users/index.ts';
import { TokenVerifier } from '../modules/users/sign-in.ts';
import { addSignInAccount, signIn } from '../test/support/sign-in.ts';
import { BENCH_TOKEN, benchPost, startBenchRuntime } from './bench-runtime.ts';

const KINDS = ['bootstrap token', 'personal token', 'sign-in JWT'] as const;
type Kind = (typeof KINDS)[number];
type Figures = Record<Kind, { check: number[]; request: number[] }>;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

export async function authenticationCost(rounds: number): Promise<Figures> {
  const { runtime, stop } = await startBenchRuntime();
  try {
    const post = (path: string, body: unknown) => benchPost(runtime, path, body);
    const user = await post('/users', { email: 'bench@provider.test', name: 'Bench', roles: ['viewer'] });
    const personal = (await post(`/users/${user.id}/tokens`, { name: 'bench' })).token as string;
    await addSignInAccount(runtime, { email: 'bench@provider.test', name: 'Bench', password: 'bench-password-1' });
    const { idToken } = await signIn(runtime, 'bench@provider.test', 'bench-password-1');
    const tokens: Record<Kind, string> = { 'bootstrap token': BENCH_TOKEN, 'personal token': personal, 'sign-in JWT': idToken };
    const verifier = new TokenVerifier(runtime.deps.settings.signIn!);
    const figures = Object.fromEntries(KINDS.map((kind) => [kind, { check: [], request: [] }])) as unknown as Figures;
    for (let round = -20; round < rounds; round++) {
      for (const kind of KINDS) {
        let started = performance.now();
        const caller = await callerOf(runtime.deps, tokens[kind], verifier);
        const check = performance.now() - started;
        if (!caller) throw new Error(`${kind} was refused`);
        started = performance.now();
        const response = await fetch(`${runtime.urls.api}/issues?limit=1`, { headers: { authorization: `Bearer ${tokens[kind]}` } });
        await response.arrayBuffer();
        const request = performance.now() - started;
        if (response.status !== 200) throw new Error(`${kind}: GET /issues answered ${response.status}`);
        if (round < 0) continue; // warm-up: JIT, the issuer's keys, connections
        figures[kind].check.push(check);
        figures[kind].request.push(request);
      }
    }
    return figures;
  } finally {
    await stop();
  }
}

export function printAuthenticationCost(figures: Figures): void {
  const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(10);
  const base = figures['bootstrap token'];
  console.log(`\nAuthentication per request (${base.check.length} rounds; each credential in turn)`);
  console.log('credential         check p50  check p99  request p50  request p99  added to a request (p50, p99)');
  for (const kind of KINDS) {
    const { check, request } = figures[kind];
    const added = (p: number) => percentile(request, p) - percentile(base.request, p);
    console.log(
      `${kind.padEnd(17)} ${ms(percentile(check, 50))} ${ms(percentile(check, 99))} ${ms(percentile(request, 50))}  ${ms(percentile(request, 99))}   ${kind === 'bootstrap token' ? '(the baseline)' : `${ms(added(50))}, ${ms(added(99))}`}`,
    );
  }
}
