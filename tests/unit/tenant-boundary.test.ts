import { tenantRefusal } from '../../bot/teams/tenant-boundary';

/** Which tenant an activity comes from, and whether it is inside the boundary. */
const HOME = '6f1c4a52-9d3e-4b7a-8c21-3e5f7a9b0c1d';
const OTHER = '11111111-2222-3333-4444-555555555555';
const from = (conversationTenant?: unknown, channelDataTenant?: unknown) => ({
  conversation: conversationTenant === undefined ? {} : { tenantId: conversationTenant },
  channelData: channelDataTenant === undefined ? {} : { tenant: { id: channelDataTenant } },
});

describe('tenantRefusal', () => {
  test('the home tenant in both places is served, in any case', () => {
    expect(tenantRefusal(from(HOME, HOME), [HOME])).toBeUndefined();
    expect(tenantRefusal(from(HOME.toUpperCase(), HOME), [HOME])).toBeUndefined();
  });

  test('one of several allowed tenants is served', () => {
    expect(tenantRefusal(from(OTHER, OTHER), [HOME, OTHER])).toBeUndefined();
  });

  test('the tenant named in only one of the two places is enough', () => {
    expect(tenantRefusal(from(HOME, undefined), [HOME])).toBeUndefined();
    expect(tenantRefusal(from(undefined, HOME), [HOME])).toBeUndefined();
  });

  test('another tenant is refused, with its id', () => {
    expect(tenantRefusal(from(OTHER, OTHER), [HOME])).toEqual({
      reason: 'other-tenant',
      tenantId: OTHER,
    });
  });

  test.each([
    ['nowhere', undefined, undefined],
    ['empty', '', '  '],
    ['not a string', 42, { id: HOME }],
  ])('a tenant that is %s is refused as missing', (_case, conversationTenant, channelTenant) => {
    expect(tenantRefusal(from(conversationTenant, channelTenant), [HOME])).toEqual({
      reason: 'missing',
    });
  });

  test('two different tenants are refused, even when one of them is allowed', () => {
    expect(tenantRefusal(from(HOME, OTHER), [HOME])).toEqual({
      reason: 'mismatch',
      tenantId: HOME,
      channelDataTenantId: OTHER,
    });
    expect(tenantRefusal(from(OTHER, HOME), [HOME])?.reason).toBe('mismatch');
  });

  test('an activity without conversation or channelData is refused as missing', () => {
    expect(tenantRefusal({}, [HOME])).toEqual({ reason: 'missing' });
  });
});
