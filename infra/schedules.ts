import type { ModuleSchedule } from '../kernel/module.ts';
import { modules } from './modules.ts';

/**
 * Recurring jobs, each declared by its module (modules/<name>/module.ts). CDK creates an
 * EventBridge Scheduler schedule per entry; the embedded runtime fires the same expression (parsed
 * with croner) on its clock.
 */
export type Schedule = ModuleSchedule;

export const schedules: Schedule[] = modules.flatMap((module) => module.schedules ?? []);

/** The event a schedule invokes its function with, in both columns. */
export const scheduleInput = (schedule: Schedule) => ({ source: 'steward.scheduler', schedule: schedule.name, ...schedule.input });
