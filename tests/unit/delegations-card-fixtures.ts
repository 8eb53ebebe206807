import fs from 'node:fs';
import path from 'node:path';
import type { Language } from '../../bot/i18n';
import type { CardSigner } from '../../bot/kernel/card-signing';
import type { Card } from '../../bot/kernel/card-templates';
import type { Organisation } from '../../bot/org/organisation';
import { registerFromFile, parseAuthorityFile } from '../../bot/delegations/authority-file';
import { applyChange, type Grant } from '../../bot/delegations/delegation';
import { exportCard } from '../../bot/delegations/delegation-export';
import { formCard } from '../../bot/delegations/delegation-form';
import { requestCard, requestFormCard } from '../../bot/delegations/delegation-requests';
import { chainFor, proposeGrant } from '../../bot/delegations/delegation-rules';
import {
  chainCard,
  choicesCard,
  delegationScene,
  grantCard,
  mineCard,
} from '../../bot/delegations/delegation-views';
import type { ConfirmationRequest } from '../../bot/delegations/ports';

/** Every delegation card in the situations users meet, for cards-render-rules.test.ts. */
const INGRID = '00000000-0000-0000-0000-0000000000020';
const EMIL = '7c1a2b3d-0001-4a10-9c01-000000000401';
const NOW = new Date('2026-12-01T09:00:00Z');
const MARTE = '7c1a2b3d-0001-4a10-9c01-000000000101';
const EXPORT_SETTINGS = {
  reportRole: 'assisterende rådmann',
  expireCron: '5 0 * * *',
  exportLinkMinutes: 15,
  publicUrl: 'https://ik.heim.kommune.no',
} as const;

export function delegationScenarios(
  language: Language,
  org: Organisation,
  signer: CardSigner,
): [string, string, Card][] {
  const file = parseAuthorityFile(
    JSON.parse(
      fs.readFileSync(
        path.join(__dirname, '../../bot/delegations/demo/heim-fullmakter.json'),
        'utf8',
      ),
    ),
  );
  if (!file.ok) throw new Error(file.errors.join('; '));
  const { register: base } = registerFromFile(file.file, { at: NOW, by: 'test' });
  const made = proposeGrant({
    register: base,
    org,
    actorId: INGRID,
    draft: {
      areaId: 'tilsetting',
      to: { kind: 'person', id: EMIL },
      conditions: 'Gjelder vikarer',
    },
    now: NOW,
    ref: 'DEL-2026-0100',
  });
  if (!made.ok) throw new Error('the sample proposal was refused');
  const proposed = made.change.after;
  const register = applyChange(base, made.change);
  const scene = delegationScene(org, register, language, NOW);
  const active: Grant = { ...proposed, rev: 2, status: 'active' };
  const activeScene = delegationScene(
    org,
    { ...register, grants: register.grants.map((g) => (g.ref === active.ref ? active : g)) },
    language,
    NOW,
  );
  const underReview: Grant = {
    ...active,
    rev: 3,
    review: {
      flaggedAt: NOW.toISOString(),
      personId: EMIL,
      oldUnitId: 'sentrum-barnehage',
      newUnitId: 'heim-skole',
      oldLeaderId: INGRID,
      newLeaderId: MARTE,
    },
  };
  const request: ConfirmationRequest = {
    ref: 'BEK-2026-0001',
    rev: 1,
    areaId: 'permisjon',
    requesterId: EMIL,
    leaderId: INGRID,
    matter: 'Velferdspermisjon',
    status: 'open',
    createdAt: NOW.toISOString(),
  };
  return [
    [
      'delegations/chain',
      'yes',
      chainCard(scene, chainFor(register, org, INGRID, 'tilsetting', NOW)),
    ],
    ['delegations/chain', 'no', chainCard(scene, chainFor(register, org, EMIL, 'tilsetting', NOW))],
    [
      'delegations/chain',
      'council only',
      chainCard(scene, chainFor(register, org, EMIL, 'arsbudsjett', NOW)),
    ],
    [
      'delegations/choices',
      'ambiguous',
      choicesCard(
        scene,
        'innkjøp',
        [
          { id: 'innkjop', name: 'Innkjøp' },
          { id: 'innkjop-eos', name: 'Innkjøp EØS' },
        ],
        'ambiguous',
      ),
    ],
    ['delegations/grant', 'offer', grantCard(scene, proposed, EMIL, signer)],
    [
      'delegations/grant',
      'proposed, seen by the delegator',
      grantCard(scene, proposed, INGRID, signer),
    ],
    ['delegations/grant', 'active', grantCard(activeScene, active, INGRID, signer)],
    [
      'delegations/grant',
      'under review (rule 6), seen by the new leader',
      grantCard(activeScene, underReview, MARTE, signer),
    ],
    [
      'delegations/export',
      'Ingrid',
      exportCard(scene, INGRID, { signer, settings: EXPORT_SETTINGS }),
    ],
    ['delegations/form', 'empty', formCard(scene, INGRID, 'form-0001')],
    [
      'delegations/form',
      'with errors',
      formCard(scene, INGRID, 'form-0001', { areaId: 'innkjop' }, ['Regel 2']),
    ],
    ['delegations/mine', 'Ingrid', mineCard(activeScene, INGRID, signer)],
    ['delegations/request-form', 'Emil', requestFormCard(scene, EMIL, 'form-0002')],
    ['delegations/request', 'to the leader', requestCard(scene, request, INGRID, signer)],
    [
      'delegations/request',
      'confirmed',
      requestCard(
        scene,
        { ...request, rev: 2, status: 'confirmed', validFrom: '2026-12-01' },
        EMIL,
        signer,
      ),
    ],
  ];
}
