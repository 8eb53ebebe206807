import {
  allowedTenants,
  isAuthEnabled,
  listenHost,
  readSettings,
  SettingsError,
} from '../../bot/app/config';

const PRODUCTION = {
  BOT_ID: '11111111-2222-3333-4444-555555555555',
  BOT_PASSWORD: 'client-secret',
  BOT_TENANT_ID: '66666666-7777-8888-9999-000000000000',
  TABLES_ENDPOINT: 'https://ikstore.table.core.windows.net',
  CARD_SIGNING_SECRET: 'x'.repeat(32),
};

function errorOf(env: NodeJS.ProcessEnv): SettingsError {
  try {
    readSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return err as SettingsError;
  }
  throw new Error('expected readSettings to throw');
}

describe('readSettings', () => {
  test('defaults for an empty environment (local development, auth off)', () => {
    const s = readSettings({});
    expect(s).toMatchObject({
      PORT: 3978,
      HOST: '0.0.0.0',
      BOT_TYPE: 'SingleTenant',
      TABLE_PREFIX: 'ik',
      MAX_BODY_BYTES: 256 * 1024,
      ORG_CACHE_SECONDS: 60,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      REFERENCE_READY_MAX: 8,
    });
    expect(s.BOT_ID).toBeUndefined();
    expect(isAuthEnabled(s)).toBe(false);
  });

  test('REFERENCE_READY_MAX is a whole number from 1 to 50', () => {
    expect(readSettings({ REFERENCE_READY_MAX: '1' }).REFERENCE_READY_MAX).toBe(1);
    expect(() => readSettings({ REFERENCE_READY_MAX: '0' })).toThrow(/REFERENCE_READY_MAX/);
    expect(() => readSettings({ REFERENCE_READY_MAX: 'mange' })).toThrow(/REFERENCE_READY_MAX/);
  });

  test('a complete production configuration is accepted and turns auth on', () => {
    const s = readSettings({ ...PRODUCTION, PORT: '8080' });
    expect(s.PORT).toBe(8080);
    expect(isAuthEnabled(s)).toBe(true);
  });

  test('BOT_ID alone names every missing companion setting', () => {
    const err = errorOf({ BOT_ID: PRODUCTION.BOT_ID });
    for (const name of ['BOT_PASSWORD', 'BOT_TENANT_ID', 'TABLES_ENDPOINT', 'CARD_SIGNING_SECRET'])
      expect(err.message).toContain(name);
  });

  test.each(['BOT_PASSWORD', 'BOT_TENANT_ID', 'TABLES_ENDPOINT', 'CARD_SIGNING_SECRET'])(
    'BOT_ID without %s names it (and only it)',
    (name) => {
      const env: Record<string, string> = { ...PRODUCTION };
      delete env[name];
      const err = errorOf(env);
      expect(err.message).toContain(name);
      for (const other of ['BOT_PASSWORD', 'BOT_TENANT_ID', 'CARD_SIGNING_SECRET'].filter(
        (n) => n !== name,
      ))
        expect(err.message).not.toContain(`${other}:`);
    },
  );

  test('TABLES_CONNECTION_STRING replaces TABLES_ENDPOINT', () => {
    const { TABLES_ENDPOINT, ...rest } = PRODUCTION;
    void TABLES_ENDPOINT;
    expect(() =>
      readSettings({ ...rest, TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' }),
    ).not.toThrow();
  });

  test('MultiTenant needs the tenants to serve, not the app tenant; UserAssignedMSI needs no password', () => {
    const { BOT_TENANT_ID, BOT_PASSWORD, ...rest } = PRODUCTION;
    void BOT_PASSWORD;
    const multi = { ...rest, BOT_PASSWORD, BOT_TYPE: 'MultiTenant' };
    expect(errorOf(multi).message).toContain('ALLOWED_TENANT_IDS: required');
    expect(() => readSettings({ ...multi, ALLOWED_TENANT_IDS: BOT_TENANT_ID })).not.toThrow();
    expect(() => readSettings({ ...multi, BOT_TENANT_ID })).not.toThrow();
    expect(() =>
      readSettings({ ...rest, BOT_TENANT_ID, BOT_TYPE: 'UserAssignedMSI' }),
    ).not.toThrow();
  });

  test.each(['abc', '0', '-1', '65536', '3978.5', ' '])('PORT %j is refused and named', (port) => {
    expect(errorOf({ PORT: port }).message).toContain('PORT');
  });

  test('a short CARD_SIGNING_SECRET is refused', () => {
    expect(errorOf({ ...PRODUCTION, CARD_SIGNING_SECRET: 'short' }).message).toContain(
      'CARD_SIGNING_SECRET',
    );
  });

  test.each([
    ['BOT_TYPE', 'Single'],
    ['LOG_LEVEL', 'verbose'],
    ['TABLE_PREFIX', '1ik'],
    ['TABLES_ENDPOINT', 'not a url'],
    ['MAX_BODY_BYTES', '10'],
  ])('%s = %j is refused and named', (name, value) => {
    expect(errorOf({ [name]: value }).message).toContain(name);
  });

  test('empty strings count as unset', () => {
    const s = readSettings({
      PORT: '',
      HOST: '',
      BOT_ID: '',
      BOT_PASSWORD: '',
      LOG_LEVEL: '',
      TABLE_PREFIX: '',
      CARD_SIGNING_SECRET: '',
    });
    expect(s.PORT).toBe(3978);
    expect(s.HOST).toBe('0.0.0.0');
    expect(s.LOG_LEVEL).toBe('info');
    expect(s.TABLE_PREFIX).toBe('ik');
    expect(isAuthEnabled(s)).toBe(false);
  });

  test('an empty BOT_PASSWORD with BOT_ID set is reported as missing', () => {
    expect(errorOf({ ...PRODUCTION, BOT_PASSWORD: '' }).message).toContain('BOT_PASSWORD');
  });

  test('reads the environment it is given, not process.env', () => {
    const saved = process.env.PORT;
    process.env.PORT = 'not-a-port';
    try {
      expect(readSettings({}).PORT).toBe(3978);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe('production without BOT_ID (no authentication) fails closed', () => {
  const production = (env: NodeJS.ProcessEnv) => readSettings(env, { production: true });
  const secret = { CARD_SIGNING_SECRET: 'x'.repeat(32) };

  test('the production entry refuses to start without BOT_ID, naming BOT_ID and LOCAL_ONLY', () => {
    expect(() => production(secret)).toThrow(SettingsError);
    expect(() => production(secret)).toThrow(/BOT_ID[^\n]*LOCAL_ONLY=true/);
  });

  test('LOCAL_ONLY=true lets it start unauthenticated, on loopback only', () => {
    const s = production({ ...secret, LOCAL_ONLY: 'true' });
    expect(s.LOCAL_ONLY).toBe(true);
    expect(listenHost(s)).toBe('127.0.0.1');
  });

  test('any server without BOT_ID and LOCAL_ONLY refuses to listen, naming both settings', () => {
    const s = readSettings({});
    expect(() => listenHost(s)).toThrow(SettingsError);
    expect(() => listenHost(s, '127.0.0.1')).toThrow(/BOT_ID[^\n]*LOCAL_ONLY/);
  });

  test('LOCAL_ONLY ignores the 0.0.0.0 default and refuses an address that is not loopback', () => {
    expect(listenHost(readSettings({ LOCAL_ONLY: 'true' }))).toBe('127.0.0.1');
    expect(listenHost(readSettings({ LOCAL_ONLY: 'true', HOST: '::1' }))).toBe('::1');
    expect(errorOf({ LOCAL_ONLY: 'true', HOST: '0.0.0.0' }).message).toMatch(/HOST.*loopback/);
    expect(() => listenHost(readSettings({ LOCAL_ONLY: 'true' }), '0.0.0.0')).toThrow(
      SettingsError,
    );
  });

  test('with BOT_ID the configured HOST is used (App Service needs 0.0.0.0)', () => {
    expect(listenHost(readSettings(PRODUCTION))).toBe('0.0.0.0');
    expect(listenHost(readSettings({ ...PRODUCTION, LOCAL_ONLY: 'true' }))).toBe('127.0.0.1');
  });

  test.each(['yes', '1', 'TRUE'])('LOCAL_ONLY=%j is refused and named', (value) => {
    expect(errorOf({ LOCAL_ONLY: value }).message).toContain('LOCAL_ONLY');
  });
});

describe('the tenant boundary (ALLOWED_TENANT_IDS)', () => {
  const A = '6F1C4A52-9D3E-4B7A-8C21-3E5F7A9B0C1D';
  const B = '11111111-2222-3333-4444-555555555555';

  test('comma-separated, trimmed, lower case', () => {
    expect(allowedTenants(readSettings({ ALLOWED_TENANT_IDS: ` ${A} ,${B},` }))).toEqual([
      A.toLowerCase(),
      B,
    ]);
  });

  test('defaults to BOT_TENANT_ID', () => {
    expect(allowedTenants(readSettings(PRODUCTION))).toEqual([PRODUCTION.BOT_TENANT_ID]);
    expect(allowedTenants(readSettings({ ...PRODUCTION, ALLOWED_TENANT_IDS: B }))).toEqual([B]);
  });

  test('neither set (local development): no boundary', () => {
    expect(allowedTenants(readSettings({}))).toBeUndefined();
  });

  test.each([' , ', 'not a tenant', `${A};${B}`])('ALLOWED_TENANT_IDS=%j is refused', (value) => {
    expect(errorOf({ ALLOWED_TENANT_IDS: value }).message).toContain('ALLOWED_TENANT_IDS');
  });
});
