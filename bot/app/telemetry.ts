import { log } from './log';
import { RedactingSpanProcessor } from './telemetry-redaction';

/**
 * Application Insights through OpenTelemetry, on when APPLICATIONINSIGHTS_CONNECTION_STRING is
 * set. Loaded before the HTTP server so its instrumentation sees every request. Every span passes
 * the redactor first: no table key, conversation id or feed secret reaches Application Insights.
 */
export function startTelemetry(connectionString: string | undefined): void {
  if (!connectionString) return;
  // Required lazily: without a connection string the SDK is never loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { useAzureMonitor } =
    require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    spanProcessors: [new RedactingSpanProcessor()],
  });
  log.info('Application Insights telemetry on');
}
