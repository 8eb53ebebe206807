import crypto from 'node:crypto';

/**
 * Card actions carry the deviation's reference and revision, signed with a server secret,
 * so that a forged card (another reference, an invented revision) is told apart from a stale one.
 */
export class CardSigner {
  constructor(private readonly secret: string) {}

  sign(ref: string, rev: number): string {
    return crypto
      .createHmac('sha256', this.secret)
      .update(`${ref}\n${rev}`)
      .digest('base64url')
      .slice(0, 32);
  }

  verify(ref: unknown, rev: unknown, sig: unknown): boolean {
    if (
      typeof ref !== 'string' ||
      typeof sig !== 'string' ||
      typeof rev !== 'number' ||
      !Number.isInteger(rev)
    )
      return false;
    const expected = Buffer.from(this.sign(ref, rev));
    const given = Buffer.from(sig);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  }
}
