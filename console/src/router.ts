import { useEffect, useState } from 'preact/hooks';

/** The console's deep links: /console/ (Now), /console/kpis, /console/receivables, /console/settings, /console/customers, /console/issues/<id>, /console/customers/<id>. */
export type Route =
  | { screen: 'now' }
  | { screen: 'kpis' }
  | { screen: 'receivables' }
  | { screen: 'settings' }
  | { screen: 'customers' }
  | { screen: 'issue'; id: string }
  | { screen: 'customer'; id: string }
  | { screen: 'not-found'; path: string };

export function routeOf(pathname: string): Route {
  const path = pathname.replace(/^\/console/, '').replace(/\/+$/, '') || '/';
  if (path === '/') return { screen: 'now' };
  if (path === '/kpis') return { screen: 'kpis' };
  if (path === '/receivables') return { screen: 'receivables' };
  if (path === '/settings') return { screen: 'settings' };
  if (path === '/customers') return { screen: 'customers' };
  const issue = /^\/issues\/([^/]{1,64})$/.exec(path);
  if (issue) return { screen: 'issue', id: decodeURIComponent(issue[1]) };
  const customer = /^\/customers\/([^/]{1,64})$/.exec(path);
  if (customer) return { screen: 'customer', id: decodeURIComponent(customer[1]) };
  return { screen: 'not-found', path };
}

export function navigate(to: string): void {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

/** A link that moves within the console without reloading it. */
export function onLink(event: MouseEvent): void {
  const anchor = (event.currentTarget as HTMLAnchorElement | null)?.closest('a');
  if (!anchor || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href')!);
}
