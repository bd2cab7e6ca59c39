import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type LogRecord, type Metric, METRICS_NAMESPACE, type TelemetrySink } from '../telemetry.ts';

/**
 * Telemetry as on AWS: Powertools' Logger writes each line as one JSON object (CloudWatch Logs
 * Insights queries its keys) and Powertools' Metrics publishes the counts as Embedded Metric Format
 * lines, which CloudWatch turns into metrics without an API call.
 */
export class PowertoolsTelemetry implements TelemetrySink {
  private readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'steward') {
    this.logger = new Logger({ serviceName });
    this.metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  }

  log({ level, message, attributes, error }: LogRecord): void {
    // Powertools writes an Error among the attributes as {name, location, message, stack}.
    const extra = error ? { ...attributes, error } : attributes;
    if (level === 'ERROR') this.logger.error(message, extra);
    else if (level === 'WARN') this.logger.warn(message, extra);
    else if (level === 'INFO') this.logger.info(message, extra);
    else this.logger.debug(message, extra);
  }

  count(metric: Metric, value: number): void {
    this.metrics.addMetric(metric, MetricUnit.Count, value);
  }

  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
