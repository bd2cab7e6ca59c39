import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api.ts';
import { readerZone } from '../format.ts';
import { ListActions } from '../list-actions.tsx';
import type { Customer } from '../types.ts';
import type { kpisOf } from '../../../modules/issues/index.ts';

type Kpis = ReturnType<typeof kpisOf>;
interface Week {
  from: string;
  to: string;
  all: Kpis;
  bySeverity: Record<string, Kpis>;
  /** This week so far. */
  partial?: boolean;
}
interface ArWeek {
  asOf: string;
  byCurrency: Record<string, { receivable: number; dsoDays: number; ceiPct: number | null }>;
}

/** A KPI column: how to read it from a week's figures, its unit, and which way is better. */
interface Column {
  id: string;
  label: string;
  unit: string;
  lowerIsBetter: boolean;
  of: (kpis: Kpis) => number | null;
}
const COLUMNS: Column[] = [
  { id: 'issues', label: 'Issues opened', unit: '', lowerIsBetter: true, of: (k) => k.issues },
  { id: 'mtta', label: 'MTTA', unit: 'min', lowerIsBetter: true, of: (k) => k.mttaMinutes },
  { id: 'mttr', label: 'MTTR', unit: 'min', lowerIsBetter: true, of: (k) => k.mttrMinutes },
  { id: 'sla', label: 'SLA met', unit: '%', lowerIsBetter: false, of: (k) => k.slaCompliancePct },
  { id: 'cadence', label: 'Updates on time', unit: '%', lowerIsBetter: false, of: (k) => k.updateCadence.compliancePct },
  { id: 'silence', label: 'Longest silence', unit: 'min', lowerIsBetter: true, of: (k) => k.longestSilenceMinutes },
  { id: 'etr', label: 'First ETR met', unit: '%', lowerIsBetter: false, of: (k) => k.etrAccuracy.metPct },
  { id: 'rfo', label: 'RFOs accepted', unit: '', lowerIsBetter: false, of: (k) => k.rfoAcceptance.accepted },
  { id: 'escalated', label: 'Escalated by customer', unit: '%', lowerIsBetter: true, of: (k) => k.customerEscalationRatePct },
  { id: 'reopened', label: 'Reopened', unit: '%', lowerIsBetter: true, of: (k) => k.reopenRatePct },
];
const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'];

/** A calendar week (Monday to Sunday in the reader's zone); this week reads "so far". */
const weekLabel = (week: Week) => {
  const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: readerZone() });
  return week.partial
    ? `${day.format(new Date(week.from))} – so far`
    : `${day.format(new Date(week.from))} – ${day.format(new Date(Date.parse(week.to) - 1))}`;
};

/** The change from the week before, as a person reads it ("+12 %", "−3 min"); blank where either is unmeasured. */
function change(now: number | null, before: number | null, unit: string): string {
  if (now === null || before === null) return '';
  const delta = Math.round((now - before) * 10) / 10;
  return `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta)}${unit ? ` ${unit}` : ''}`;
}

/** A week's figure with its unit and the change from the week before. */
function Figure({ value, before, unit }: { value: number | null; before: number | null; unit: string }) {
  return (
    <td>
      {value ?? '—'}
      {value !== null && unit ? ` ${unit}` : ''} <small>{change(value, before, unit)}</small>
    </td>
  );
}

/** A line chart of weekly series (uPlot), redrawn when its data changes. */
function Chart({ label, x, series }: { label: string; x: number[]; series: { label: string; values: (number | null)[] }[] }) {
  const box = useRef<HTMLDivElement>(null);
  const data = JSON.stringify([x, series]); // redrawn when the figures change, not on every render
  useEffect(() => {
    if (!box.current) return;
    const colors = ['#1a56b0', '#b45309', '#1e5631', '#7c3aed'];
    const plot = new uPlot(
      {
        width: Math.min(900, box.current.clientWidth || 900),
        height: 260,
        series: [{}, ...series.map((line, index) => ({ label: line.label, stroke: colors[index % colors.length], width: 2 }))],
      },
      [x, ...series.map((line) => line.values)],
      box.current,
    );
    return () => plot.destroy();
  }, [data]);
  return <div ref={box} class="chart" role="img" aria-label={`${label} (the table below has the same figures)`} />;
}

/** KPIs: the issue KPIs week by week (all, a severity, a customer or a team) and the AR trend; chart, table and CSV each. */
export default function KpisScreen({ permissions }: { permissions: string[] }) {
  return (
    <section aria-labelledby="kpis-title">
      <h1 id="kpis-title">KPIs</h1>
      {permissions.includes('kpis:read') && <IssueKpis canListCustomers={permissions.includes('customers:read')} />}
      {permissions.includes('ar-kpis:read') && <ArTrend />}
    </section>
  );
}

function IssueKpis({ canListCustomers }: { canListCustomers: boolean }) {
  const [weeks, setWeeks] = useState<Week[]>();
  const [error, setError] = useState<string>();
  const [customers, setCustomers] = useState<Customer[]>([]);
  const [scope, setScope] = useState({ severity: '', customerId: '', team: '' });
  const [charted, setCharted] = useState('mtta');
  useEffect(() => {
    if (canListCustomers) void api<{ customers: Customer[] }>('/customers?limit=200').then((answer) => setCustomers(answer.customers));
  }, [canListCustomers]);
  useEffect(() => {
    const query = `${scope.customerId ? `&customerId=${encodeURIComponent(scope.customerId)}` : ''}${scope.team ? `&team=${encodeURIComponent(scope.team)}` : ''}`;
    api<{ weeks: Week[] }>(`/kpis?by=week&weeks=8&zone=${encodeURIComponent(readerZone())}${query}`).then(
      (answer) => {
        setError(undefined);
        setWeeks(answer.weeks);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [scope.customerId, scope.team]);
  const teams = [...new Map(customers.map((customer) => [customer.team.teamLead.email, customer.team.teamLead.name])).entries()];
  const of = (week: Week) => (scope.severity ? week.bySeverity[scope.severity] : week.all);
  const column = COLUMNS.find((entry) => entry.id === charted)!;
  const scopeWords = [scope.severity, scope.customerId && `customer ${scope.customerId}`, scope.team && `team of ${scope.team}`]
    .filter(Boolean)
    .join(', ');

  return (
    <>
      <p class="lead">
        Issues opened in each of the last 8 calendar weeks, this one so far{scopeWords ? ` (${scopeWords})` : ''}, with the change from the
        week before.
      </p>
      <div class="filters">
        <label>
          Severity
          <select value={scope.severity} onChange={(event) => setScope({ ...scope, severity: event.currentTarget.value })}>
            <option value="">all</option>
            {SEVERITIES.map((severity) => (
              <option key={severity}>{severity}</option>
            ))}
          </select>
        </label>
        <label>
          Customer
          <select value={scope.customerId} onChange={(event) => setScope({ ...scope, customerId: event.currentTarget.value })}>
            <option value="">all</option>
            {customers.map((customer) => (
              <option key={customer.id} value={customer.id}>
                {customer.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team
          <select value={scope.team} onChange={(event) => setScope({ ...scope, team: event.currentTarget.value })}>
            <option value="">all</option>
            {teams.map(([email, name]) => (
              <option key={email} value={email}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Chart
          <select value={charted} onChange={(event) => setCharted(event.currentTarget.value)}>
            {COLUMNS.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {weeks && (
        <>
          <Chart
            label={`${column.label} by week${column.unit ? `, in ${column.unit}` : ''}`}
            x={weeks.map((week) => Date.parse(week.to) / 1000)}
            series={[{ label: column.label + (column.unit ? ` (${column.unit})` : ''), values: weeks.map((week) => column.of(of(week))) }]}
          />
          <table class="issues kpis">
            <caption>By week, with the change from the week before</caption>
            <thead>
              <tr>
                <th scope="col">Week</th>
                {COLUMNS.map((entry) => (
                  <th scope="col" key={entry.id}>
                    {entry.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week, index) => (
                <tr key={week.from}>
                  <th scope="row">{weekLabel(week)}</th>
                  {COLUMNS.map((entry) => {
                    const before = index > 0 ? entry.of(of(weeks[index - 1])) : null;
                    return <Figure key={entry.id} value={entry.of(of(week))} before={before} unit={entry.unit} />;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <ListActions
            exportAs={{
              label: 'Export CSV',
              filename: 'steward-kpis-by-week.csv',
              rows: () => [
                ['week from', 'week to', ...COLUMNS.map((entry) => entry.label + (entry.unit ? ` (${entry.unit})` : ''))],
                ...weeks.map((week) => [week.from, week.to, ...COLUMNS.map((entry) => entry.of(of(week)))]),
              ],
            }}
          />
        </>
      )}
    </>
  );
}

/** DSO, CEI and the receivable per currency at the end of each of the last 8 weeks. */
function ArTrend() {
  const [weeks, setWeeks] = useState<ArWeek[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ weeks: ArWeek[] }>('/kpis/ar?by=week&weeks=8').then(
      (answer) => setWeeks(answer.weeks),
      (failure: Error) => setError(failure.message),
    );
  }, []);
  const currencies = [...new Set((weeks ?? []).flatMap((week) => Object.keys(week.byCurrency)))].sort();
  const figure = (week: ArWeek | undefined, currency: string, field: 'receivable' | 'dsoDays' | 'ceiPct') =>
    week?.byCurrency[currency]?.[field] ?? null;
  return (
    <>
      <h2 id="ar-trend-title">Receivables: DSO and CEI by week</h2>
      {error && <p role="alert">{error}</p>}
      {weeks && currencies.length === 0 && <p>No invoices yet.</p>}
      {weeks && currencies.length > 0 && (
        <>
          <Chart
            label="DSO by week, in days, per currency"
            x={weeks.map((week) => Date.parse(week.asOf) / 1000)}
            series={currencies.map((currency) => ({
              label: `DSO ${currency} (days)`,
              values: weeks.map((week) => figure(week, currency, 'dsoDays')),
            }))}
          />
          <table class="issues kpis" aria-labelledby="ar-trend-title">
            <thead>
              <tr>
                <th scope="col">Week ending</th>
                {currencies.flatMap((currency) => [
                  <th scope="col" key={`${currency}-r`}>
                    Receivable {currency}
                  </th>,
                  <th scope="col" key={`${currency}-d`}>
                    DSO {currency}
                  </th>,
                  <th scope="col" key={`${currency}-c`}>
                    CEI {currency}
                  </th>,
                ])}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week, index) => (
                <tr key={week.asOf}>
                  <th scope="row">{week.asOf}</th>
                  {currencies.flatMap((currency) =>
                    (
                      [
                        ['receivable', ''],
                        ['dsoDays', 'd'],
                        ['ceiPct', '%'],
                      ] as const
                    ).map(([field, unit]) => {
                      const before = figure(weeks[index - 1], currency, field);
                      return <Figure key={`${currency}-${field}`} value={figure(week, currency, field)} before={before} unit={unit} />;
                    }),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <ListActions
            exportAs={{
              label: 'Export the AR trend as CSV',
              filename: 'steward-ar-by-week.csv',
              rows: () => [
                ['week ending', 'currency', 'receivable', 'DSO (days)', 'CEI (%)'],
                ...weeks.flatMap((week) =>
                  currencies.map((currency) => [
                    week.asOf,
                    currency,
                    figure(week, currency, 'receivable'),
                    figure(week, currency, 'dsoDays'),
                    figure(week, currency, 'ceiPct'),
                  ]),
                ),
              ],
            }}
          />
        </>
      )}
    </>
  );
}
