import { createHash } from 'node:crypto';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { type TimerPort, timerMinute } from '../timer-port.ts';
import { systemClock, type Clock } from '../clock.ts';

/** The universal target that answers a Step Functions callback task. */
export const SEND_TASK_SUCCESS_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess';

/** A schedule's name for a token: the same token always gives the same name (within Scheduler's 64 characters). */
export const timerName = (token: string) => `wake-${createHash('sha256').update(token).digest('hex').slice(0, 40)}`;

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC. */
export const atExpression = (at: Date) => `at(${at.toISOString().slice(0, 19)})`;

/**
 * Timers as one-time EventBridge Scheduler schedules in Steward's schedule group, each deleted
 * after it fires: the target is Step Functions' SendTaskSuccess with the token, called with
 * `roleArn`, which may answer Steward's state machines' tasks and nothing else.
 */
export class SchedulerTimers implements TimerPort {
  constructor(
    private readonly group: string,
    private readonly roleArn: string,
    private readonly client = new SchedulerClient({}),
    private readonly clock: Clock = systemClock,
  ) {}

  async answerAt(token: string, at: Date, output: unknown): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: timerName(token),
          GroupName: this.group,
          ScheduleExpression: atExpression(timerMinute(at, this.clock.now())),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: SEND_TASK_SUCCESS_TARGET,
            RoleArn: this.roleArn,
            Input: JSON.stringify({ TaskToken: token, Output: JSON.stringify(output ?? {}) }),
          },
        }),
      );
    } catch (error) {
      // The same token's timer set by an earlier attempt of this turn: it is the same timer.
      if ((error as Error).name !== 'ConflictException') throw error;
    }
  }

  async cancel(token: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: timerName(token), GroupName: this.group }));
    } catch (error) {
      // Fired (and deleted after it), or never set.
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
}
