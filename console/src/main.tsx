import { render } from 'preact';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { setReaderZone } from './format.ts';
import { completeSignIn, currentSession, signIn, signOut } from './auth.ts';
import { onLink, useRoute } from './router.ts';
import { CustomerScreen } from './screens/Customer.tsx';
import { Customers } from './screens/Customers.tsx';
import { Issue } from './screens/Issue.tsx';
import { Now } from './screens/Now.tsx';
import { Receivables } from './screens/Receivables.tsx';
import { Settings } from './screens/Settings.tsx';
import './style.css';

interface Me {
  roles: string[];
  permissions: string[];
  user?: { id: string; name: string; email: string; timezone?: string };
}

/** The KPI screen and its chart library load only when it is opened: the first screen stays small. */
function LazyKpis({ permissions }: { permissions: string[] }) {
  const [Screen, setScreen] = useState<ComponentType<{ permissions: string[] }>>();
  useEffect(() => {
    void import('./screens/Kpis.tsx').then((module) => setScreen(() => module.default));
  }, []);
  return Screen ? <Screen permissions={permissions} /> : <p>Loading…</p>;
}

/** The screens the header links to, in its order, each with the permissions of which one lets a role read it. */
const SCREENS = [
  ['now', '/console/', 'Now', ['issues:read']],
  ['customers', '/console/customers', 'Customers', ['customers:read']],
  ['receivables', '/console/receivables', 'Receivables', ['invoices:read', 'dunning:read']],
  ['settings', '/console/settings', 'Settings', []],
  ['kpis', '/console/kpis', 'KPIs', ['kpis:read', 'ar-kpis:read']],
] as const;
const readable = (permissions: readonly string[], needs: readonly string[]) =>
  !needs.length || needs.some((need) => permissions.includes(need));

function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me>();
  useEffect(() => {
    void api<Me>('/me').then((found) => {
      setReaderZone(found.user?.timezone);
      setMe(found);
    });
  }, []);
  const session = currentSession();
  return (
    <>
      <header class="top">
        <a class="brand" href="/console/" onClick={onLink}>
          Steward
        </a>
        <nav aria-label="Screens">
          {SCREENS.filter(([, , , needs]) => me && readable(me.permissions, needs)).map(([screen, href, label]) => (
            <a key={screen} href={href} onClick={onLink} aria-current={route.screen === screen ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {me?.user?.name ?? session?.name} {me && <small>({me.roles.join(', ')})</small>}{' '}
          <button
            type="button"
            onClick={() => {
              signOut();
              void signIn('/console/');
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main>
        {/* Screens wait for who is signed in: what they may see, and the zone their times are in. */}
        {!me && <p>Loading…</p>}
        {/* A role that cannot read issues (finance) lands on Receivables, never on a refusal. */}
        {route.screen === 'now' && me && (me.permissions.includes('issues:read') ? <Now /> : <Receivables permissions={me.permissions} />)}
        {route.screen === 'customers' && me && <Customers permissions={me.permissions} />}
        {route.screen === 'kpis' && me && <LazyKpis permissions={me.permissions} />}
        {route.screen === 'settings' && me && <Settings permissions={me.permissions} me={me.user} />}
        {route.screen === 'receivables' && me && <Receivables permissions={me.permissions} />}
        {route.screen === 'customer' && me && <CustomerScreen id={route.id} permissions={me.permissions} />}
        {route.screen === 'issue' && me && <Issue id={route.id} permissions={me.permissions} />}
        {route.screen === 'not-found' && (
          <section>
            <h1>Not found</h1>
            <p>The console has no page {route.path}.</p>
          </section>
        )}
      </main>
    </>
  );
}

async function start(): Promise<void> {
  await completeSignIn();
  if (!currentSession()) await signIn();
  render(<App />, document.getElementById('app')!);
}

// A refused or cancelled sign-in (the issuer sent back an error) says so instead of leaving a blank page.
start().catch((error: Error) => {
  sessionStorage.clear();
  const app = document.getElementById('app')!;
  app.innerHTML = '<main><h1>Sign-in failed</h1><p role="alert"></p><p><a href="/console/">Sign in again</a></p></main>';
  app.querySelector('[role=alert]')!.textContent = error.message;
});
