import { businessCalendar } from '../../kernel/calendar.ts';
import type { Deps } from '../../kernel/deps.ts';
import { sendOnce } from '../../kernel/email-channel.ts';
import { inWords } from '../../kernel/time-words.ts';
import { contactNames, type Customer, CustomerDirectory, issueRecipients } from '../customers/index.ts';
import { defaultPolicy, MAINTENANCE_DEFAULTS, PolicyRepository } from '../policies/index.ts';
import { ServiceRepository } from '../services/index.ts';
import { affectedCustomers, type CustomerNoticeContext, decideNotices, type Maintenance, type NoticeEmail } from './maintenance.ts';
import { MaintenanceRepository } from './maintenance-repository.ts';
import { renderMaintenanceEmail } from './templates.ts';

export type MaintenanceStepDeps = Pick<Deps, 'store' | 'mailer' | 'clock' | 'settings'>;

export class MaintenanceGone extends Error {
  override name = 'MaintenanceGone';
}

const MAX_ATTEMPTS = 5;
/** With nothing timed ahead, the case waits for an event; this long only as a safety net. */
const SAFETY_WAIT_SECONDS = 7 * 86_400;

const EFFECT: Record<Maintenance['impact'], string> = {
  outage: 'the services below will be unavailable for part or all of this time.',
  degraded: 'the services below stay up but may be slower or briefly interrupted.',
  none: 'we expect no interruption; we tell you so you know the work is happening.',
};

/** The same while the work runs, of the customer's affected services. */
const DURING: Record<Maintenance['impact'], string> = {
  outage: 'Your affected services are unavailable until then.',
  degraded: 'Your affected services may be slower or briefly interrupted until then.',
  none: 'We expect no interruption to your services.',
};

/** Step of a maintenance's case loop: each affected customer's due emails, once each, then the bookkeeping. */
export async function runMaintenanceStep(deps: MaintenanceStepDeps, id: string): Promise<{ done: boolean; waitSeconds: number }> {
  const repo = new MaintenanceRepository(deps.store);
  for (let attempt = 1; ; attempt++) {
    const maintenance = await repo.get(id);
    if (!maintenance) throw new MaintenanceGone(`maintenance ${id} does not exist`);
    const affected = affectedCustomers(maintenance);
    const customers = await new CustomerDirectory(deps.store).customersById([...affected.keys()]);
    const contexts = new Map<string, CustomerNoticeContext & { customer: Customer }>();
    const policies = new PolicyRepository(deps.store);
    for (const customer of customers) {
      const policy = (await policies.current(customer.policy)) ?? defaultPolicy;
      contexts.set(customer.id, {
        customer,
        calendar: businessCalendar(customer, policy.businessHours),
        noticeBusinessDays: policy.maintenance?.noticeBusinessDays ?? MAINTENANCE_DEFAULTS.noticeBusinessDays,
      });
    }
    const now = deps.clock.now();
    const decision = decideNotices(maintenance, contexts, now);
    for (const email of decision.emails) {
      const context = contexts.get(email.customerId)!;
      await send(deps, maintenance, email, context, affected.get(email.customerId) ?? []);
    }
    const saved = await repo.save(maintenance, {
      ...maintenance,
      sent: [...maintenance.sent, ...decision.emails.map((email) => email.key)],
      handledSeq: maintenance.eventSeq,
    });
    if (saved === 'saved' || attempt === MAX_ATTEMPTS) {
      const waitSeconds = decision.nextDeadline
        ? Math.max(1, Math.ceil((decision.nextDeadline.getTime() - now.getTime()) / 1000))
        : SAFETY_WAIT_SECONDS;
      return { done: decision.done, waitSeconds };
    }
  }
}

async function send(
  deps: MaintenanceStepDeps,
  maintenance: Maintenance,
  email: NoticeEmail,
  { customer, noticeBusinessDays }: CustomerNoticeContext & { customer: Customer },
  serviceIds: string[],
): Promise<void> {
  const to = issueRecipients(customer);
  if (!to.length) return;
  const names = new Map((await new ServiceRepository(deps.store).list(customer.id)).map((service) => [service.id, service.name]));
  const zone = customer.timezone;
  await sendOnce(
    deps,
    { pk: `MAINTENANCE#${maintenance.id}`, customerId: customer.id },
    email.key,
    `maintenance-${email.step}`,
    async () => ({
      to,
      // A reply is a message from the customer: it reaches the service desk as any email does.
      replyTo: [deps.settings.inboundAddress],
      ...(await renderMaintenanceEmail(`maintenance-${email.step}`, {
        customer,
        greetName: contactNames(customer, to),
        maintenance,
        from: inWords(maintenance.start, zone),
        to: inWords(maintenance.end, zone),
        startDay: inWords(maintenance.start, zone)?.replace(/,.*$/, ''),
        completedAt: inWords(maintenance.completedAt, zone),
        effect: EFFECT[maintenance.impact],
        during: DURING[maintenance.impact],
        services: serviceIds.map((id) => names.get(id) ?? id),
        shortNotice: email.shortNotice,
        rescheduled: email.rescheduled,
        noticeDays: `${noticeBusinessDays} business days`,
      })),
    }),
  );
}
