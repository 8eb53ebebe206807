import { redactSpan, urlRedactor } from '../../bot/app/telemetry-redaction';

const KEY = Buffer.alloc(32, 7);
const redact = urlRedactor(KEY);
const ENTRA = '8c3f2a51-1b2c-4d5e-9f60-7a8b9c0d1e2f';

test('a table entity URL keeps the account and table, never the keys', () => {
  const url = `https://st.table.core.windows.net/ikDeviations(PartitionKey='AVV-2026-0001',RowKey='reporter_${ENTRA}')`;
  const out = redact(url);
  expect(out).toMatch(/^https:\/\/st\.table\.core\.windows\.net\/ikDeviations\(~[0-9a-f]{10}\)$/);
  expect(out).not.toContain('AVV');
  expect(out).not.toContain(ENTRA);
});

test('percent-encoded keys and filters in the query are hidden too', () => {
  const url = `http://127.0.0.1:10002/devstoreaccount1/ikIndex(PartitionKey='reporter_${ENTRA}',RowKey='AVV-2026-0002')?$filter=PartitionKey%20eq%20'AVV-2026-0002'`;
  const encoded = url.replace(/'/g, '%27');
  for (const value of [url, encoded]) {
    const out = redact(value);
    expect(out).not.toMatch(/AVV|8c3f2a51/);
    expect(out).toMatch(/\/devstoreaccount1\/ikIndex\(~[0-9a-f]{10}\)\?…$/);
  }
});

test('Bot Connector and calendar paths lose their ids and secrets, keep their words', () => {
  expect(
    redact(
      'https://smba.trafficmanager.net/emea/v3/conversations/a:1xYz-Q_9/activities/1700000000001',
    ),
  ).toMatch(
    /^https:\/\/smba\.trafficmanager\.net\/emea\/v3\/conversations\/~[0-9a-f]{10}\/activities\/~[0-9a-f]{10}$/,
  );
  expect(redact('/calendar/0f1e2d3c4b5a69788796a5b4c3d2e1f0.ics')).toMatch(
    /^\/calendar\/~[0-9a-f]{10}$/,
  );
  expect(redact('/api/messages')).toBe('/api/messages');
});

test('the same key hashes the same within a process, differently with another process key', () => {
  const url = `https://x.table.core.windows.net/ikDeviations(PartitionKey='AVV-2026-0001',RowKey='r')`;
  expect(redact(url)).toBe(redact(url));
  expect(urlRedactor(Buffer.alloc(32, 8))(url)).not.toBe(redact(url));
});

test('a span: URL attributes, paths in other attributes and the name are rewritten; the rest stays', () => {
  const span = {
    name: `GET /calendar/secret-${ENTRA}.ics`,
    attributes: {
      'http.url': `https://st.table.core.windows.net/ikDeviations(PartitionKey='AVV-2026-0009',RowKey='x')`,
      'url.full': `https://smba.trafficmanager.net/emea/v3/conversations/a:${ENTRA}`,
      'http.target': `/calendar/secret-${ENTRA}.ics`,
      'http.method': 'GET',
      'http.status_code': 200,
      'az.namespace': 'Microsoft.Data.Tables',
    } as Record<string, unknown>,
  };
  redactSpan(span, redact);
  const json = JSON.stringify(span);
  expect(json).not.toContain(ENTRA);
  expect(json).not.toContain('AVV-2026-0009');
  expect(span.attributes['http.method']).toBe('GET');
  expect(span.attributes['http.status_code']).toBe(200);
  expect(span.attributes['az.namespace']).toBe('Microsoft.Data.Tables');
  expect(span.name).toMatch(/^GET \/calendar\/~[0-9a-f]{10}$/);
});
