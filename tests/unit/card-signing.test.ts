import { CardSigner } from '../../bot/kernel/card-signing';

const SECRET = 'test-secret-that-is-at-least-32-characters-long';
const signer = new CardSigner(SECRET);
const sig = signer.sign('AVV-2026-0042', 3);

describe('CardSigner', () => {
  test('sign then verify round-trips', () => {
    expect(signer.verify('AVV-2026-0042', 3, sig)).toBe(true);
    expect(new CardSigner(SECRET).verify('AVV-2026-0042', 3, sig)).toBe(true);
  });

  test('the signature depends on reference and revision', () => {
    expect(signer.sign('AVV-2026-0043', 3)).not.toBe(sig);
    expect(signer.sign('AVV-2026-0042', 4)).not.toBe(sig);
  });

  test.each([
    ['another reference', 'AVV-2026-0043', 3, sig],
    ['another revision', 'AVV-2026-0042', 4, sig],
    ['a tampered signature', 'AVV-2026-0042', 3, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)],
    ['a truncated signature', 'AVV-2026-0042', 3, sig.slice(0, -1)],
    ['a longer signature', 'AVV-2026-0042', 3, sig + 'A'],
    ['an empty signature', 'AVV-2026-0042', 3, ''],
    ['a revision as a string', 'AVV-2026-0042', '3', sig],
    ['a fractional revision', 'AVV-2026-0042', 3.5, sig],
    ['NaN as revision', 'AVV-2026-0042', Number.NaN, sig],
    ['a missing revision', 'AVV-2026-0042', undefined, sig],
    ['a reference that is not a string', 42, 3, sig],
    ['a signature that is not a string', 'AVV-2026-0042', 3, 12345],
    ['a reference with the newline trick', 'AVV-2026-0042\n3', 3, sig],
  ])('%s -> false', (_what, ref, rev, s) => {
    expect(signer.verify(ref, rev, s)).toBe(false);
  });

  test('a different secret does not verify', () => {
    expect(
      new CardSigner('another-secret-that-is-at-least-32-characters').verify(
        'AVV-2026-0042',
        3,
        sig,
      ),
    ).toBe(false);
  });

  test('a signature with non-ASCII characters of the same length does not throw', () => {
    expect(() => signer.verify('AVV-2026-0042', 3, 'ø'.repeat(16))).not.toThrow();
    expect(signer.verify('AVV-2026-0042', 3, 'ø'.repeat(16))).toBe(false);
  });
});
