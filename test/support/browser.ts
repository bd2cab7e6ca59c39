import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, removeDataDir, startRuntime, testOptions } from './runtime.ts';
import { realClient } from './real-clients.ts';

/** Debian's chromium, driven by playwright-core (no browser download); `.ci/run` installs it. */
export const browserClient = () => realClient('chromium', 'chromium');

/** Where the screenshots of each screen are kept (CI keeps the folder as the run's artifacts). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/console');

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium',
    // Root in CI containers: Chromium's sandbox needs user namespaces these machines do not give.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's findings on the page as it is now, serious and critical only (WCAG 2.1 A and AA rules). */
export async function seriousAccessibilityFindings(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline scripts) stays as it is.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<any> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((violation: any) => ({
      id: violation.id,
      impact: violation.impact,
      targets: violation.nodes.slice(0, 3).map((node: any) => node.target.join(' ')),
    }));
  });
  return violations
    .filter((violation: { impact: string }) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation: { id: string; impact: string; targets: string[] }) =>
        `${violation.impact} ${violation.id}: ${violation.targets.join(', ')}`,
    );
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

export const CONSOLE_ADMIN = { email: 'admin@steward.localhost', password: 'console-admin-password' };

/**
 * A runtime (in memory, acme created, the admin's password known) and a Chromium page for a
 * describe block; `setup` prepares data before the browser starts.
 */
export function useConsole(setup?: (runtime: Runtime) => Promise<void>) {
  const env = {} as { options: RuntimeOptions; runtime: Runtime; browser: Browser; page: Page };
  beforeAll(async () => {
    env.options = await testOptions({ inMemory: true, adminPassword: CONSOLE_ADMIN.password });
    env.runtime = await startRuntime(env.options);
    await api(env.runtime).post('/customers', acme);
    await setup?.(env.runtime);
    env.browser = await launchBrowser();
    env.page = await env.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
  }, 180_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.runtime?.stop();
    if (env.options) removeDataDir(env.options);
  });
  return env;
}

/** Fills in the sign-in page the browser is on (or is about to reach) as the console's admin. */
export async function signInOnPage(page: Page, password = CONSOLE_ADMIN.password): Promise<void> {
  await page.waitForURL(/\/oidc\/interaction\//);
  await page.getByLabel('Email address').fill(CONSOLE_ADMIN.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
