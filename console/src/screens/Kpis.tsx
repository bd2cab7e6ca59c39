import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api.ts';
import { downloadCsv } from '../csv.ts';

type Kpis = { issues: number; mttaMinutes: number | null; mttrMinutes: number | null; slaCompliancePct: number | null };
interface Week {
  from: string;
  to: string;
  all: Kpis;
}

const COLUMNS: { key: keyof Kpis; label: string; unit: string; lowerIsBetter: boolean }[] = [
  { key: 'issues', label: 'Issues opened', unit: '', lowerIsBetter: true },
  { key: 'mttaMinutes', label: 'MTTA', unit: 'min', lowerIsBetter: true },
  { key: 'mttrMinutes', label: 'MTTR', unit: 'min', lowerIsBetter: true },
  { key: 'slaCompliancePct', label: 'SLA met', unit: '%', lowerIsBetter: false },
];

const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const weekLabel = (week: Week) => `${day.format(new Date(week.from))} – ${day.format(new Date(week.to))}`;

/** The change from the week before, as a person reads it ("+12 %", "−3 min"); blank where either is unmeasured. */
function change(now: number | null, before: number | null, unit: string): string {
  if (now === null || before === null) return '';
  const delta = Math.round((now - before) * 10) / 10;
  return `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta)}${unit ? ` ${unit}` : ''}`;
}

const csvRows = (weeks: Week[]) => [
  ['week from', 'week to', ...COLUMNS.map((column) => column.label + (column.unit ? ` (${column.unit})` : ''))],
  ...weeks.map((week) => [week.from, week.to, ...COLUMNS.map((column) => week.all[column.key])]),
];

/** KPIs: the issue KPIs week by week, with the change from the week before; chart, table and CSV. */
export default function KpisScreen() {
  const [weeks, setWeeks] = useState<Week[]>();
  const [error, setError] = useState<string>();
  const chart = useRef<HTMLDivElement>(null);
  useEffect(() => {
    api<{ weeks: Week[] }>('/kpis?by=week&weeks=8').then(
      (answer) => setWeeks(answer.weeks),
      (failure: Error) => setError(failure.message),
    );
  }, []);
  useEffect(() => {
    if (!weeks || !chart.current) return;
    const x = weeks.map((week) => Date.parse(week.to) / 1000);
    const plot = new uPlot(
      {
        width: Math.min(900, chart.current.clientWidth || 900),
        height: 280,
        series: [{}, { label: 'MTTA (min)', stroke: '#1a56b0', width: 2 }, { label: 'MTTR (min)', stroke: '#b45309', width: 2 }],
        axes: [{}, { label: 'minutes' }],
      },
      [x, weeks.map((week) => week.all.mttaMinutes), weeks.map((week) => week.all.mttrMinutes)],
      chart.current,
    );
    return () => plot.destroy();
  }, [weeks]);

  const download = () => downloadCsv('steward-kpis-by-week.csv', csvRows(weeks ?? []));

  return (
    <section aria-labelledby="kpis-title">
      <h1 id="kpis-title">KPIs</h1>
      <p class="lead">Issues opened in each of the last 8 weeks: how fast they were acknowledged and resolved, and the SLA.</p>
      {error && <p role="alert">{error}</p>}
      <div ref={chart} class="chart" role="img" aria-label="MTTA and MTTR by week, in minutes (the table below has the same figures)" />
      {weeks && (
        <>
          <table class="issues kpis">
            <caption>By week, with the change from the week before</caption>
            <thead>
              <tr>
                <th scope="col">Week</th>
                {COLUMNS.map((column) => (
                  <th scope="col" key={column.key}>
                    {column.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week, index) => (
                <tr key={week.from}>
                  <th scope="row">{weekLabel(week)}</th>
                  {COLUMNS.map((column) => {
                    const value = week.all[column.key];
                    const before = index > 0 ? weeks[index - 1].all[column.key] : null;
                    return (
                      <td key={column.key}>
                        {value ?? '—'}
                        {value !== null && column.unit ? ` ${column.unit}` : ''} <small>{change(value, before, column.unit)}</small>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={download}>
            Export CSV
          </button>
        </>
      )}
    </section>
  );
}
