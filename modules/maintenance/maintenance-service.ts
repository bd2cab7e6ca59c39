import type { Deps } from '../../kernel/deps.ts';
import { DomainError } from '../../kernel/errors.ts';
import { readWait } from '../../kernel/wait-tokens.ts';
import { runName } from '../../kernel/workflow-runs.ts';
import { ServiceRepository } from '../services/index.ts';
import {
  affectedCustomers,
  applyMaintenanceEvent,
  type Maintenance,
  type MaintenanceEvent,
  type MaintenancePatch,
  type NewMaintenance,
  newMaintenance,
  reschedule,
} from './maintenance.ts';
import { MAINTENANCE_WORKFLOW, maintenanceRuns } from './maintenance-case.ts';
import { MaintenanceRepository } from './maintenance-repository.ts';

export type MaintenanceDeps = Pick<Deps, 'store' | 'clock' | 'workflows'>;

const MAX_ATTEMPTS = 5;

/** Planned maintenance: scheduled against customers' services, rescheduled, started, extended, completed or cancelled. */
export class MaintenanceService {
  readonly maintenances: MaintenanceRepository;
  private readonly services: ServiceRepository;

  constructor(private readonly deps: MaintenanceDeps) {
    this.maintenances = new MaintenanceRepository(deps.store);
    this.services = new ServiceRepository(deps.store);
  }

  /** Schedules it: every service named must be that customer's; nothing is stored otherwise. Its case loop starts at once. */
  async schedule(input: NewMaintenance): Promise<Maintenance> {
    const now = this.deps.clock.now();
    const draft = newMaintenance('MNT-0', input, now);
    await this.checkServices(input.services);
    const maintenance = { ...draft, id: await this.maintenances.nextId() };
    await this.maintenances.create(maintenance);
    const owner = { maintenanceId: maintenance.id };
    await this.deps.workflows.start(MAINTENANCE_WORKFLOW, runName(maintenanceRuns.base(owner), 1), maintenanceRuns.input(owner));
    return maintenance;
  }

  async reschedule(id: string, patch: MaintenancePatch): Promise<Maintenance> {
    return this.change(id, (maintenance, now) => reschedule(maintenance, patch, now));
  }

  async record(id: string, event: MaintenanceEvent): Promise<Maintenance> {
    return this.change(id, (maintenance, now) => applyMaintenanceEvent(maintenance, event, now));
  }

  async get(id: string): Promise<Maintenance> {
    const maintenance = await this.maintenances.get(id);
    if (!maintenance) throw new DomainError('not-found', `maintenance ${id} does not exist`);
    return maintenance;
  }

  private async change(id: string, apply: (maintenance: Maintenance, now: Date) => Maintenance): Promise<Maintenance> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const before = await this.get(id);
      const after = apply(before, this.deps.clock.now());
      if ((await this.maintenances.save(before, after)) === 'saved') {
        await this.wake(id);
        return after;
      }
    }
    throw new DomainError('conflict', `maintenance ${id} changed concurrently; try again`);
  }

  /** Answers the waiting turn, so the change is told now (the turn reads the maintenance again). */
  private async wake(id: string): Promise<void> {
    const wait = await readWait(this.deps.store, maintenanceRuns.waitKey({ maintenanceId: id }));
    if (wait) await this.deps.workflows.sendTaskSuccess(wait.token, { woke: 'maintenance-event' });
  }

  /** Each `{customerId, serviceId}` must name a service of that customer: a 400 names the first that does not. */
  private async checkServices(refs: NewMaintenance['services']): Promise<void> {
    for (const [customerId, ids] of affectedCustomers({ services: refs })) {
      const known = new Set((await this.services.list(customerId)).map((service) => service.id));
      const unknown = ids.find((id) => !known.has(id));
      if (unknown !== undefined) {
        const index = refs.findIndex((ref) => ref.customerId === customerId && ref.serviceId === unknown);
        throw new DomainError('invalid', `services[${index}]: customer ${customerId} has no service ${unknown}`, {
          details: [{ field: `services[${index}].serviceId`, problem: `customer ${customerId} has no service ${unknown}` }],
        });
      }
    }
  }
}
