import { context, trace } from '@opentelemetry/api';
import * as coreTracing from '@azure/core-tracing';
import { createAzureSdkInstrumentation } from '@azure/opentelemetry-instrumentation-azure-sdk';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { RedactingSpanProcessor } from '../../bot/app/telemetry-redaction';
import { openTables, safeKey, type Tables } from '../../bot/store/tables';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

/**
 * Issue #11, defect 3: with telemetry on, the Azure SDK's dependency spans carry table URLs whose
 * paths hold keys. Real spans from real table requests against Azurite, through the same Azure SDK
 * instrumentation Azure Monitor registers, go to an in-memory exporter behind the redactor.
 * A processor in front of the redactor copies what the SDK produced, to show the keys were there.
 */
const ENTRA = '8c3f2a51-1b2c-4d5e-9f60-7a8b9c0d1e2f';
const REF = 'AVV-2026-0042';

let azurite: TestAzurite;
let tables: Tables;
const exporter = new InMemorySpanExporter();
const raw: string[] = [];
const copyRaw: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span: ReadableSpan) => void raw.push(JSON.stringify([span.name, span.attributes])),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const provider = new BasicTracerProvider({
  spanProcessors: [copyRaw, new RedactingSpanProcessor(), new SimpleSpanProcessor(exporter)],
});

/**
 * What Azure Monitor's Azure SDK instrumentation does when @azure/core-tracing is loaded: hand the
 * SDK an OpenTelemetry instrumenter. Its hook runs through require-in-the-middle, which jest's
 * module loader bypasses, so the test applies the instrumentation's own patch to the module.
 */
function instrumentAzureSdk(): void {
  const instrumentation = createAzureSdkInstrumentation() as unknown as {
    init(): { patch(exports: typeof coreTracing): unknown };
  };
  instrumentation.init().patch(coreTracing);
}

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  instrumentAzureSdk();
  azurite = await startTestAzurite();
  tables = openTables(azurite.location, 'tel');
  await tables.ensure();
  const client = tables.client('Deviations');
  const partitionKey = safeKey(REF);
  await client.upsertEntity({ partitionKey, rowKey: safeKey(`reporter_${ENTRA}`), n: 1 });
  await client.getEntity(partitionKey, safeKey(`reporter_${ENTRA}`));
  for await (const _ of client.listEntities({
    queryOptions: { filter: `PartitionKey eq '${partitionKey}'` },
  }));
  await provider.forceFlush();
});

afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
  await azurite?.stop();
});

test('the SDK really produced spans whose URLs hold the keys (what would have leaked)', () => {
  const leaking = raw.filter((s) => s.includes(ENTRA) || s.includes(REF));
  expect(leaking.length).toBeGreaterThanOrEqual(2);
});

test('no exported span holds a key, a reference or an Entra id', () => {
  const spans = exporter.getFinishedSpans();
  expect(spans.length).toBe(raw.length);
  for (const span of spans) {
    const json = JSON.stringify([span.name, span.attributes]);
    expect(json).not.toContain(ENTRA);
    expect(json).not.toContain(REF);
    expect(json).not.toContain(encodeURIComponent(ENTRA));
  }
});

test('exported dependency spans still say which table, which method and how it went', () => {
  const http = exporter
    .getFinishedSpans()
    .filter((s) => typeof s.attributes['http.url'] === 'string');
  expect(http.length).toBeGreaterThanOrEqual(3);
  expect(http.map((s) => s.attributes['http.url'])).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/\/devstoreaccount1\/telDeviations\(~[0-9a-f]{10}\)/),
    ]),
  );
  expect(http.every((s) => typeof s.attributes['http.status_code'] === 'number')).toBe(true);
});
