import { isUnresolved, severities, type Issue } from './issue.ts';

const MINUTE = 60_000;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const average = (values: number[]) => (values.length ? round(values.reduce((sum, value) => sum + value, 0) / values.length) : null);
const percent = (part: number, whole: number) => (whole ? round((100 * part) / whole) : null);
const between = (from: string | undefined, to: string | undefined) => (from && to ? Date.parse(to) - Date.parse(from) : undefined);
const defined = <T>(values: (T | undefined)[]) => values.filter((value): value is T => value !== undefined);

/** Service KPIs of a set of issues. Null where nothing was measured (no division by zero dressed up as 0 %). */
export function kpisOf(current: Issue[], now: Date) {
  // An issue reopened is judged by its first cycle (the reopen rate counts the returns): a reopen never stretches MTTA or MTTR.
  const issues = current.map((issue) => (issue.firstCycle ? { ...issue, ...issue.firstCycle } : issue));
  const acked = defined(issues.map((issue) => between(issue.createdAt, issue.acknowledgedAt)));
  const resolved = defined(issues.map((issue) => between(issue.createdAt, issue.resolvedAt)));
  // SLA: acknowledged by the time the policy gave (business-hours aware: stored when the issue opened).
  // Issues whose acknowledgement is not due yet and not given are not counted either way.
  const slaJudged = issues.filter((issue) => issue.ackDueAt && (issue.acknowledgedAt || Date.parse(issue.ackDueAt) <= now.getTime()));
  const slaMet = slaJudged.filter((issue) => issue.acknowledgedAt && issue.acknowledgedAt <= issue.ackDueAt!);
  const kept = issues.reduce((sum, issue) => sum + issue.cadence.kept, 0);
  const missed = issues.reduce((sum, issue) => sum + issue.cadence.missed, 0);
  const silences = issues.map((issue) =>
    Math.max(issue.longestSilenceMs, isUnresolved(issue) ? now.getTime() - Date.parse(issue.lastCustomerContactAt ?? issue.createdAt) : 0),
  );
  // ETR accuracy is judged by the first ETR given (a later one can always be made to fit), with the slips counted.
  const withEtr = issues.filter((issue) => issue.resolvedAt && issue.etr);
  const firstEtr = (issue: Issue) => issue.etrHistory[0]?.etr ?? issue.etr!;
  const slips = (issue: Issue) =>
    issue.etrHistory.filter((entry, index) => index > 0 && entry.etr > issue.etrHistory[index - 1].etr).length;
  const etrMet = withEtr.filter((issue) => issue.resolvedAt! <= firstEtr(issue));
  const rfoAccepted = issues.filter((issue) => issue.rfo?.status === 'accepted');
  return {
    issues: issues.length,
    mttaMinutes: average(acked.map((value) => value / MINUTE)),
    mttrMinutes: average(resolved.map((value) => value / MINUTE)),
    slaCompliancePct: percent(slaMet.length, slaJudged.length),
    updateCadence: { kept, missed, compliancePct: percent(kept, kept + missed) },
    longestSilenceMinutes: silences.length ? round(Math.max(...silences) / MINUTE) : null,
    etrAccuracy: {
      resolvedWithEtr: withEtr.length,
      metPct: percent(etrMet.length, withEtr.length),
      lastEtrMetPct: percent(withEtr.filter((issue) => issue.resolvedAt! <= issue.etr!).length, withEtr.length),
      meanAbsoluteErrorMinutes: average(
        withEtr.map((issue) => Math.abs(Date.parse(issue.resolvedAt!) - Date.parse(firstEtr(issue))) / MINUTE),
      ),
      slips: withEtr.reduce((sum, issue) => sum + slips(issue), 0),
      slippedPct: percent(withEtr.filter((issue) => slips(issue) > 0).length, withEtr.length),
    },
    rfoAcceptance: {
      accepted: rfoAccepted.length,
      automaticallyPct: percent(rfoAccepted.filter((issue) => issue.rfo!.acceptedBy === 'auto').length, rfoAccepted.length),
      meanHours: average(
        defined(rfoAccepted.map((issue) => between(issue.rfo!.firstSentAt, issue.rfo!.acceptedAt))).map((value) => value / 3_600_000),
      ),
    },
    customerEscalationRatePct: percent(issues.filter((issue) => issue.customerEscalations.length > 0).length, issues.length),
    reopenRatePct: percent(issues.filter((issue) => issue.reopenCount > 0).length, issues.length),
  };
}

export function issueKpis(issues: Issue[], now: Date) {
  return {
    all: kpisOf(issues, now),
    bySeverity: Object.fromEntries(
      severities.map((severity) => [
        severity,
        kpisOf(
          issues.filter((issue) => issue.severity === severity),
          now,
        ),
      ]),
    ),
  };
}
