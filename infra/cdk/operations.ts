import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { type Metric as StewardMetric, METRICS_NAMESPACE } from '../../kernel/telemetry.ts';

/** SES reviews an account at a 5 % bounce rate and 0.1 % complaint rate (and may pause it at 10 % and 0.5 %): alarm at the review level. */
export const SES_BOUNCE_RATE_ALARM = 0.05;
export const SES_COMPLAINT_RATE_ALARM = 0.001;

export interface OperationsProps {
  functions: Map<string, NodejsFunction>;
  logGroups: Map<string, ILogGroup>;
  stateMachines: Map<string, StateMachine>;
  api: HttpApi;
  failedEvents: IQueue;
  /** The table, for its throttle metrics. */
  tableName: string;
  /** Subscribed to the alarm topic (`-c alarmEmail=`); without it the topic waits for a subscription. */
  alarmEmail?: string;
  /** Prefix of the dashboard's name (the stage). */
  namePrefix: string;
  /** The `service` dimension of the metrics the functions publish (their POWERTOOLS_SERVICE_NAME). */
  serviceName: string;
}

/**
 * What an operator watches: one alarm topic, an alarm per signal that needs a person (a failed or
 * timed-out execution, a function error or throttle, an event in the failed-events queue, an API
 * 5xx, SES reputation near review, a dunning run that stopped early or did not run), and a
 * dashboard of the same signals.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms = new Map<string, Alarm>();
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { displayName: 'Steward alarms', enforceSSL: true });
    NagSuppressions.addResourceSuppressions(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and alarm messages carry metric names only, no customer data.',
      },
    ]);
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const every5Minutes = { period: Duration.minutes(5), statistic: 'Sum' } as const;
    const alarm = (name: string, metric: IMetric, threshold: number, description: string, options: Partial<AlarmOptions> = {}) => {
      const created = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
        ...options,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.set(name, created);
      return created;
    };

    for (const [workflow, machine] of props.stateMachines) {
      alarm(
        `${workflow}-failed`,
        machine.metricFailed(every5Minutes),
        1,
        `An execution of ${workflow} failed (reconcile restarts it; find out why).`,
      );
      alarm(`${workflow}-timed-out`, machine.metricTimedOut(every5Minutes), 1, `An execution of ${workflow} timed out.`);
    }
    for (const [workflow, machine] of props.stateMachines)
      alarm(
        `${workflow}-throttled`,
        machine.metricThrottled(every5Minutes),
        1,
        `Step Functions throttled ${workflow} (state transitions or starts over the account's quota).`,
      );
    for (const [name, fn] of props.functions) {
      alarm(`${name}-errors`, fn.metricErrors(every5Minutes), 1, `Function ${name} failed an invocation.`);
      alarm(`${name}-throttles`, fn.metricThrottles(every5Minutes), 1, `Function ${name} was throttled (concurrency).`);
      // Near its timeout: the next slow dependency makes it fail.
      const timeout = fn.timeout?.toMilliseconds() ?? 3_000;
      alarm(
        `${name}-near-timeout`,
        fn.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' }),
        Math.round(timeout * 0.8),
        `Function ${name} ran for 80 % of its ${timeout / 1000} s timeout.`,
      );
    }
    for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents'])
      alarm(
        `dynamodb-${metricName}`,
        new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: props.tableName }, ...every5Minutes }),
        1,
        `DynamoDB throttled the table (${metricName}): on-demand capacity met its limit or a hot key.`,
      );
    alarm(
      'failed-events',
      props.failedEvents.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      1,
      'An asynchronous event (an inbound email, a sweep, a bounce) failed all its attempts and waits in the failed-events queue: redrive it (docs/operations.md).',
    );
    alarm('api-5xx', props.api.metricServerError(every5Minutes), 1, 'The HTTP API answered 5xx: a client never should get one.');
    const ses = (metricName: string) => new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    alarm(
      'ses-bounce-rate',
      ses('Reputation.BounceRate'),
      SES_BOUNCE_RATE_ALARM,
      'SES bounce rate at the level where SES reviews the account.',
    );
    alarm(
      'ses-complaint-rate',
      ses('Reputation.ComplaintRate'),
      SES_COMPLAINT_RATE_ALARM,
      'SES complaint rate at the level where SES reviews the account.',
    );

    // The metrics the functions publish through Powertools (kernel/telemetry.ts lists them).
    const steward = (metricName: StewardMetric, period = Duration.minutes(5)) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: props.serviceName }, period, statistic: 'Sum' });
    alarm(
      'emails-failed',
      steward('EmailsFailed', Duration.minutes(15)),
      5,
      "SES refused or failed five sends in 15 minutes after the SDK retries: customers may not be hearing from Steward (the workflows keep retrying; see the functions' logs).",
    );

    const dunningRun = props.functions.get('dunning-run');
    const dunningLogs = props.logGroups.get('dunning-run');
    if (dunningRun && dunningLogs) {
      alarm(
        'dunning-run-missing',
        dunningRun.metricInvocations({ period: Duration.hours(3), statistic: 'Sum' }),
        1,
        'The hourly dunning run has not run for three hours.',
        { comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData: TreatMissingData.BREACHING },
      );
      // The run logs its counts as one JSON line (functions/dunning-run); these filters make metrics of them.
      const fromRun = (metricName: string, pattern: string) =>
        new MetricFilter(this, `${metricName}-filter`, {
          logGroup: dunningLogs,
          metricNamespace: METRICS_NAMESPACE,
          metricName,
          filterPattern: FilterPattern.literal(pattern),
          metricValue: '1',
          defaultValue: 0,
        }).metric(every5Minutes);
      alarm(
        'dunning-run-stopped-early',
        fromRun('DunningRunStoppedEarly', '{ $.message = "dunning run" && $.stoppedEarly IS TRUE }'),
        1,
        'A dunning run stopped before its timeout with customers still due (they stay due for the next run): the ledger outgrew one run.',
      );
      alarm(
        'dunning-run-stuck',
        fromRun('DunningCustomersStuck', '{ $.message = "dunning run" && $.stuck > 0 }'),
        1,
        "A customer's dunning workflow kept failing to start: see the run's log.",
      );
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${props.namePrefix}operations` });
    const graph = (title: string, metrics: IMetric[]) => new GraphWidget({ title, left: metrics, width: 12 });
    this.dashboard.addWidgets(
      graph(
        'Executions failed or timed out',
        [...props.stateMachines.values()].flatMap((machine) => [
          machine.metricFailed(every5Minutes),
          machine.metricTimedOut(every5Minutes),
        ]),
      ),
      graph(
        'Executions started',
        [...props.stateMachines.values()].map((machine) => machine.metricStarted(every5Minutes)),
      ),
      graph(
        'Function errors',
        [...props.functions.values()].map((fn) => fn.metricErrors(every5Minutes)),
      ),
      graph(
        'Function throttles',
        [...props.functions.values()].map((fn) => fn.metricThrottles(every5Minutes)),
      ),
      graph('Failed events waiting (redrive them)', [
        props.failedEvents.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      ]),
      graph('API requests, 4xx and 5xx', [
        props.api.metricCount(every5Minutes),
        props.api.metricClientError(every5Minutes),
        props.api.metricServerError(every5Minutes),
      ]),
      graph('Emails sent, failed, retried', [steward('EmailsSent'), steward('EmailsFailed'), steward('EmailsRetried')]),
      graph('Coming in: alerts, mail, mail set aside', [steward('AlertsIngested'), steward('MailReceived'), steward('MailQuarantined')]),
      graph('Executions started and restarted by Steward', [steward('ExecutionsStarted'), steward('ExecutionsRestarted')]),
      graph('Dunning: customers due and woken; links used', [
        steward('DunningCustomersDue'),
        steward('DunningCustomersWoken'),
        steward('LinksUsed'),
      ]),
      graph('SES reputation (bounce and complaint rate)', [ses('Reputation.BounceRate'), ses('Reputation.ComplaintRate')]),
      graph('Emails sent and delivered', [
        new Metric({ namespace: 'AWS/SES', metricName: 'Send', period: Duration.hours(1), statistic: 'Sum' }),
        new Metric({ namespace: 'AWS/SES', metricName: 'Delivery', period: Duration.hours(1), statistic: 'Sum' }),
        new Metric({ namespace: 'AWS/SES', metricName: 'Bounce', period: Duration.hours(1), statistic: 'Sum' }),
      ]),
    );
  }
}

type AlarmOptions = { comparisonOperator: ComparisonOperator; treatMissingData: TreatMissingData };
