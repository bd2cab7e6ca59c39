import * as z from 'zod/mini';
import type { CaseType } from '../../kernel/case-loop.ts';
import type { KeptCase } from '../../kernel/case-reconcile.ts';
import { MaintenanceRepository, maintenanceWaitKey } from './maintenance-repository.ts';
import { MaintenanceGone, type MaintenanceStepDeps, runMaintenanceStep } from './maintenance-step.ts';

export const MAINTENANCE_WORKFLOW = 'maintenance-notices';

/** A maintenance: what its runs are about. */
export interface MaintenanceOwner {
  maintenanceId: string;
}

const ownerSchema = z.object({ maintenanceId: z.string().check(z.minLength(1), z.maxLength(40)) });
const LIVE: string[] = ['scheduled', 'in-progress'];
/** How far back the sweep looks for live maintenances: a window is at most 14 days, so this covers any still running. */
const SWEEP_BACK_MS = 366 * 86_400_000;

/** Which runs follow a maintenance (its identity in the case loop), and which maintenances need one. */
export const maintenanceRuns: KeptCase<MaintenanceOwner> = {
  workflow: MAINTENANCE_WORKFLOW,
  owner: (input) => ownerSchema.parse(input),
  base: ({ maintenanceId }) => `maintenance-${maintenanceId}`,
  input: ({ maintenanceId }) => ({ maintenanceId }),
  waitKey: ({ maintenanceId }) => maintenanceWaitKey(maintenanceId),
  pending: ({ store }, { maintenanceId }) => new MaintenanceRepository(store).hasUnhandledEvent(maintenanceId),
  legacy: { closedError: 'MaintenanceOver' },
  sweep: 'maintenance',
  live: async (store) => {
    const from = new Date(Date.now() - SWEEP_BACK_MS).toISOString();
    const all = await new MaintenanceRepository(store).startingBetween(from, '9999', 10_000);
    return all.filter((maintenance) => LIVE.includes(maintenance.status)).map((maintenance) => ({ maintenanceId: maintenance.id }));
  },
  isLive: async (store, { maintenanceId }) => LIVE.includes((await new MaintenanceRepository(store).get(maintenanceId))?.status ?? ''),
};

/** A maintenance as a case of the case loop: its step is runMaintenanceStep. */
export const maintenanceCase = (deps: MaintenanceStepDeps): CaseType<MaintenanceOwner> => ({
  ...maintenanceRuns,
  step: ({ maintenanceId }) => runMaintenanceStep(deps, maintenanceId),
  isGone: (error) => error instanceof MaintenanceGone,
});
