import { fill, formatDate, type Language } from '../i18n';
import type { CardSigner } from '../kernel/card-signing';
import { notice, renderCard, type Card } from '../kernel/card-templates';
import { isLeaderRole, type Organisation, type Role } from '../org/organisation';
import { cardTexts } from './delegation-card-texts';
import { registerWithEvents } from './delegation-import';
import { reglementCsv, reglementHtml } from './delegation-report';
import type { DelegationScene } from './delegation-views';
import type { DelegationDeps } from './ports';

/**
 * "Eksporter fullmakter": a leader gets the reglement as of today as two links that expire
 * (Teams bots cannot attach files in a personal chat without the file consent flow). A link is
 * `<publicUrl>/fullmakter/<claim>/<expires>.<signature>.<html|csv>`: the claim (who, as of
 * which day, in which language) and the expiry are signed with the card signing secret, so it
 * needs no storage, cannot be forged or prolonged, and is refused with 410 once it expires.
 * Nothing here logs: the link is the credential.
 */
export const EXPORT_PATH = '/fullmakter/';
const EXPORT_KIND = 'delegation-export';
const EXPORT_VERB = 'delegation-export.read';
const FORMATS = { html: 'text/html', csv: 'text/csv' } as const;
type Format = keyof typeof FORMATS;
const FILE = /^([A-Za-z0-9_-]{1,100})\/(\d{1,12})\.([A-Za-z0-9_-]{32})\.(html|csv)$/;
const CLAIM_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ExportClaim {
  personId: string;
  /** The Oslo day the reglement is shown as of. */
  asOf: string;
  language: Language;
  /** Unix seconds. */
  expires: number;
}

export interface ExportAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Leaders, and the role told of onward delegation (the rådmann's office), may export. */
export function mayExport(org: Organisation, personId: string, reportRole: Role): boolean {
  const person = org.people.get(personId);
  return person !== undefined && (isLeaderRole(person.role) || person.role === reportRole);
}

const claimId = (c: ExportClaim) => JSON.stringify([c.personId, c.asOf, c.language]);
const signClaim = (c: ExportClaim, signer: CardSigner) =>
  signer.sign({ kind: EXPORT_KIND, id: claimId(c), rev: c.expires, verb: EXPORT_VERB });

export function exportFile(claim: ExportClaim, format: Format, signer: CardSigner): string {
  const encoded = Buffer.from(claimId(claim)).toString('base64url');
  return `${encoded}/${claim.expires}.${signClaim(claim, signer)}.${format}`;
}

/** The claim of a file name this server signed, or undefined (malformed, forged, altered). */
export function readExportFile(
  file: string,
  signer: CardSigner,
): { claim: ExportClaim; format: Format } | undefined {
  const match = FILE.exec(file);
  if (!match) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 3) return undefined;
  const [personId, asOf, language] = parts as unknown[];
  if (typeof personId !== 'string' || typeof asOf !== 'string' || !CLAIM_DATE.test(asOf))
    return undefined;
  if (language !== 'nb' && language !== 'en') return undefined;
  const claim: ExportClaim = { personId, asOf, language, expires: Number(match[2]) };
  const sig = { kind: EXPORT_KIND, id: claimId(claim), rev: claim.expires, verb: EXPORT_VERB };
  return signer.verify(sig, match[3]) ? { claim, format: match[4] as Format } : undefined;
}

/** The card with the two links, or the refusal for someone who is not a leader. */
export function exportCard(
  scene: DelegationScene,
  personId: string,
  deps: Pick<DelegationDeps, 'signer' | 'settings'>,
): Card {
  const t = cardTexts(scene.language);
  if (!mayExport(scene.org, personId, deps.settings.reportRole))
    return notice(t.exportNotLeader, '', 'Attention');
  const minutes = deps.settings.exportLinkMinutes;
  const expires = Math.floor(scene.now.getTime() / 1000) + minutes * 60;
  const claim: ExportClaim = { personId, asOf: scene.today, language: scene.language, expires };
  const base = `${deps.settings.publicUrl.replace(/\/+$/, '')}${EXPORT_PATH}`;
  const until = new Date(expires * 1000).toLocaleTimeString(
    scene.language === 'nb' ? 'nb-NO' : 'en-GB',
    { timeZone: 'Europe/Oslo', hour: '2-digit', minute: '2-digit' },
  );
  return renderCard('delegations/export', {
    title: fill(t.exportTitle, { date: formatDate(scene.today, scene.language) }),
    intro: fill(t.exportIntro, { until }),
    htmlTitle: t.exportHtml,
    htmlUrl: base + exportFile(claim, 'html', deps.signer),
    csvTitle: t.exportCsv,
    csvUrl: base + exportFile(claim, 'csv', deps.signer),
  });
}

const plain = (status: number, body: string): ExportAnswer => ({
  status,
  headers: {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  },
  body,
});

/**
 * `GET /fullmakter/<claim>/<file>`, free of any HTTP framework (bot/teams/server.ts mounts it).
 * Unknown, malformed and forged links get the same 404; an expired one 410; someone who is no
 * longer a leader 403. Store errors are thrown (the server answers 503).
 */
export async function serveExport(
  file: string,
  deps: Pick<
    DelegationDeps,
    'signer' | 'settings' | 'clock' | 'org' | 'register' | 'grants' | 'catalogue'
  >,
): Promise<ExportAnswer> {
  const read = readExportFile(file, deps.signer);
  if (!read) return plain(404, cardTexts('nb').exportNotFound);
  const { claim, format } = read;
  const t = cardTexts(claim.language);
  if (deps.clock.now().getTime() >= claim.expires * 1000) return plain(410, t.exportExpired);
  const [{ org }, register, municipality] = await Promise.all([
    deps.org.snapshot(),
    registerWithEvents(deps),
    deps.catalogue.municipality(),
  ]);
  if (!mayExport(org, claim.personId, deps.settings.reportRole))
    return plain(403, t.exportNotLeader);
  const options = { asOf: claim.asOf, language: claim.language, municipality: municipality ?? '' };
  const body =
    format === 'html'
      ? reglementHtml(register, org, options)
      : reglementCsv(register, org, options);
  return {
    status: 200,
    headers: {
      'Content-Type': `${FORMATS[format]}; charset=utf-8`,
      // The link is a credential: no shared caches, and never sent on as a Referer (Lovdata links).
      'Cache-Control': 'private, no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      'Content-Disposition': `${format === 'csv' ? 'attachment' : 'inline'}; filename="delegeringsreglement-${claim.asOf}.${format}"`,
      'X-Content-Type-Options': 'nosniff',
    },
    body,
  };
}
