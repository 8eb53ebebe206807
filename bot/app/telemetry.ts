import { log } from './log';

/**
 * Application Insights through OpenTelemetry, on when APPLICATIONINSIGHTS_CONNECTION_STRING is
 * set. Loaded before the HTTP server so its instrumentation sees every request.
 */
export function startTelemetry(connectionString: string | undefined): void {
  if (!connectionString) return;
  // Required lazily: without a connection string the SDK is never loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { useAzureMonitor } =
    require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  useAzureMonitor({ azureMonitorExporterOptions: { connectionString } });
  log.info('Application Insights telemetry on');
}
