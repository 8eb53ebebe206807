import type { Language } from '../../bot/i18n';
import type { CardSigner } from '../../bot/kernel/card-signing';
import type { Card } from '../../bot/kernel/card-templates';
import type { Organisation } from '../../bot/org/organisation';
import type { Task, TaskParent } from '../../bot/tasks/task';
import type { IndexedTask } from '../../bot/tasks/task-store';
import { taskCard, taskFormCard, taskListCard, taskScene } from '../../bot/tasks/task-views';
import { renderCard } from '../../bot/kernel/card-templates';
import { processCard } from '../../bot/processes/process-feature';
import { projectCard } from '../../bot/projects/project-feature';
import type { Project } from '../../bot/projects/project';
import { vedtakCard } from '../../bot/vedtak/vedtak-feature';
import type { PoliticalDecision } from '../../bot/vedtak/vedtak';
import type { Process } from '../../bot/processes/process';

/** Every task and process card in the situations users meet, for cards-render-rules.test.ts. */
const INGRID = '00000000-0000-0000-0000-0000000000020';
const SILJE = '7c1a2b3d-0001-4a10-9c01-000000000102';
const SOFIE = '00000000-0000-0000-0000-0000000000024';
const NOW = new Date('2027-03-10T09:00:00Z');

const parent: TaskParent = {
  ref: { kind: 'process', id: 'aldersvennlig-samfunn' },
  name: 'Aldersvennlig samfunn',
  ownerId: SILJE,
  memberIds: [INGRID],
  creatorIds: [INGRID],
  active: true,
};

const task: Task = {
  ref: 'OPG-2027-0001',
  rev: 1,
  title: 'Kartlegg møteplasser for eldre [lenke](https://example.org)',
  description: 'Hvilke lokaler kan brukes på kveldstid? <b>fet</b>',
  parent: parent.ref,
  ownerId: SILJE,
  createdBy: SILJE,
  createdAt: NOW.toISOString(),
  assignee: { kind: 'person', personId: INGRID },
  assigneeId: INGRID,
  due: '2027-03-19',
  status: 'open',
};

export function taskScenarios(
  language: Language,
  org: Organisation,
  signer: CardSigner,
): [string, string, Card][] {
  const scene = taskScene(org, [parent], language, NOW);
  const overdueScene = taskScene(org, [parent], language, new Date('2027-03-25T09:00:00Z'));
  const asked: Task = {
    ...task,
    rev: 3,
    status: 'handover_requested',
    handover: { fromStatus: 'accepted', reason: 'Ferie', suggestedId: SOFIE },
  };
  const row = (ref: string, due: string, status: Task['status']): IndexedTask => ({
    ref,
    rev: 1,
    title: task.title,
    parentKind: 'process',
    parentId: parent.ref.id,
    ownerId: SILJE,
    assigneeId: INGRID,
    due,
    status,
  });
  const many = Array.from({ length: 23 }, (_, i) =>
    row(`OPG-2027-${String(i + 1).padStart(4, '0')}`, '2027-03-01', 'open'),
  );
  return [
    [
      'tasks/task',
      'new, to the assignee',
      taskCard(scene, task, INGRID, { signer, headline: 'Ny' }),
    ],
    ['tasks/task', 'seen by the owner', taskCard(scene, task, SILJE, { signer })],
    [
      'tasks/task',
      'blocked and overdue',
      taskCard(
        overdueScene,
        { ...task, rev: 2, status: 'blocked', blockedReason: 'Nøkler' },
        INGRID,
        {
          signer,
          notice: 'x',
        },
      ),
    ],
    ['tasks/task', 'handover, to the owner', taskCard(scene, asked, SILJE, { signer })],
    [
      'tasks/task',
      'done',
      taskCard(scene, { ...task, rev: 4, status: 'done', doneNote: 'Liste sendt' }, INGRID, {
        signer,
      }),
    ],
    ['tasks/list', 'empty', taskListCard(scene, { title: 'Mine oppgaver', empty: 'Ingen' }, [])],
    [
      'tasks/list',
      'page 3 of 3',
      taskListCard(scene, { title: 'Mine oppgaver', intro: '1 av 3', empty: '' }, many, 99),
    ],
    ['tasks/form', 'empty', taskFormCard(scene, [parent], 'form-0001')],
    ...processScenarios(language, org, signer),
    ...projectScenarios(language, org, signer),
    ...vedtakScenarios(language, org, signer),
    [
      'tasks/form',
      'with errors',
      taskFormCard(scene, [parent], 'form-0001', { title: 'x', due: '2027-01-01' }, ['Fristen']),
    ],
    [
      'tasks/form',
      'in a dialog, from a message',
      taskFormCard(scene, [parent], 'form-0001', { description: 'Fra meldingen' }, [], {
        dialog: true,
        fromMessage: true,
      }),
    ],
  ];
}

const PER = '00000000-0000-0000-0000-0000000000021';
const EMIL = '7c1a2b3d-0001-4a10-9c01-000000000401';

function processScenarios(
  language: Language,
  org: Organisation,
  signer: CardSigner,
): [string, string, Card][] {
  const scene = { org, language, now: NOW };
  const draft: Process = {
    ref: 'folkehelse',
    rev: 1,
    name: { nb: 'Folkehelse', en: 'Public health' },
    ownerId: SILJE,
    commissionerId: PER,
    mandate: 'Holde oversikt over helsetilstanden [lenke](https://example.org)',
    goals: ['Oversiktsdokument hvert fjerde år'],
    status: 'draft',
    members: [],
    nominations: [],
    creatorIds: [],
    measures: [],
  };
  const active: Process = {
    ...draft,
    rev: 3,
    status: 'active',
    anchoredBy: PER,
    anchoredAt: NOW.toISOString(),
    members: [{ personId: INGRID, since: NOW.toISOString(), sharePercent: 20 }],
    nominations: [
      { personId: EMIL, releaserId: INGRID, status: 'pending', nominatedAt: NOW.toISOString() },
    ],
  };
  const withMeasures: Process = {
    ...active,
    rev: 5,
    measures: [
      {
        number: 1,
        text: 'Frukt i alle pauser',
        decidedAt: NOW.toISOString(),
        acks: {
          'sentrum-barnehage': { status: 'pending' },
          'heim-skole': { status: 'declined', comment: 'Budsjett' },
        },
        escalation: { at: NOW.toISOString() },
      },
    ],
    evaluations: [{ year: 2027, text: 'Godt i gang', byId: SILJE, at: NOW.toISOString() }],
  };
  return [
    [
      'processes/process',
      'a measure, to a unit leader',
      processCard(scene, withMeasures, INGRID, { signer }),
    ],
    [
      'processes/process',
      'a measure, to the rådmann',
      processCard(scene, withMeasures, PER, { signer }),
    ],
    [
      'processes/process',
      'draft, to the rådmann',
      processCard(scene, draft, PER, { signer, headline: 'Forankring' }),
    ],
    [
      'processes/process',
      'release request',
      processCard(scene, active, INGRID, { signer, focusId: EMIL }),
    ],
    [
      'processes/process',
      'seen by the owner',
      processCard(scene, active, SILJE, { signer, notice: 'x' }),
    ],
    [
      'processes/list',
      'two',
      renderCard('processes/list', {
        title: 'Gjennomgående prosesser',
        rows: [
          { name: 'Folkehelse', detail: 'utkast' },
          { name: 'Digitalisering', detail: 'aktiv' },
        ],
        hint: 'Skriv «prosess <navn>»',
      }),
    ],
  ];
}

function projectScenarios(
  language: Language,
  org: Organisation,
  signer: CardSigner,
): [string, string, Card][] {
  const scene = { org, language, now: NOW };
  const MARTE = '7c1a2b3d-0001-4a10-9c01-000000000101';
  const base: Project = {
    ref: 'PRO-2027-0001',
    rev: 1,
    name: 'Velferdsteknologi',
    mandate: 'Innføre digitalt tilsyn',
    mandatedBy: PER,
    ownerId: INGRID,
    steeringGroup: [MARTE, SILJE],
    quorum: { kind: 'majority' },
    phase: 'konsept',
    status: 'active',
    memberIds: [],
    history: [],
  };
  const gate: Project = {
    ...base,
    rev: 2,
    gate: {
      number: 1,
      from: 'konsept',
      to: 'planlegging',
      requestedBy: INGRID,
      requestedAt: NOW.toISOString(),
      votes: { [MARTE]: { vote: 'approve', at: NOW.toISOString() } },
    },
  };
  const closed: Project = {
    ...base,
    rev: 9,
    phase: 'avslutning',
    status: 'closed',
    history: [
      {
        number: 1,
        from: 'konsept',
        to: 'planlegging',
        outcome: 'approved',
        decidedAt: NOW.toISOString(),
        approvals: 2,
        sendBacks: 0,
        votes: {},
      },
    ],
    finalReport: { url: 'https://heim.sharepoint.com/r', summary: 'Ferdig', realisedBy: 'line' },
  };
  return [
    [
      'projects/project',
      'new, to the owner',
      projectCard(scene, base, INGRID, { signer, headline: 'Ny' }),
    ],
    [
      'projects/project',
      'in avslutning, to the owner',
      projectCard(scene, { ...base, phase: 'avslutning' }, INGRID, { signer }),
    ],
    ['projects/project', 'a gate, to a member', projectCard(scene, gate, SILJE, { signer })],
    ['projects/project', 'closed', projectCard(scene, closed, PER, { signer, notice: 'x' })],
    [
      'projects/form',
      'with errors',
      renderCard('projects/form', {
        t: {
          title: 'Nytt prosjekt',
          name: 'Navn',
          mandate: 'Mandat',
          owner: 'Eier',
          steeringGroup: 'Styringsgruppe',
          quorum: 'Beslutningsdyktig',
          majority: 'Flertall',
          all: 'Alle',
          submit: 'Opprett',
        },
        formId: 'f',
        people: [{ title: 'Ingrid', value: INGRID }],
        values: { name: 'x', mandate: '', ownerId: '', steeringGroup: '', quorum: 'majority' },
        errorsTitle: 'Ikke opprettet',
        errors: 'Bare en leder',
      }),
    ],
  ];
}

function vedtakScenarios(
  language: Language,
  org: Organisation,
  signer: CardSigner,
): [string, string, Card][] {
  const scene = { org, language, now: NOW };
  const MARTE = '7c1a2b3d-0001-4a10-9c01-000000000101';
  const d: PoliticalDecision = {
    ref: 'VED-2027-0001',
    rev: 2,
    body: 'Kommunestyret',
    caseNumber: 'PS 12/27',
    date: '2027-02-14',
    summary: 'Leksehjelp to dager i uka [lenke](https://example.org)',
    responsibleUnitId: 'heim-skole',
    deadline: '2027-03-01',
    registeredBy: PER,
    registeredAt: NOW.toISOString(),
    taskRef: 'VED-2027-0001',
    status: 'in_progress',
    updates: [{ at: NOW.toISOString(), byId: MARTE, status: 'in_progress', comment: 'I gang' }],
  };
  return [
    [
      'vedtak/vedtak',
      'to the leader, overdue',
      vedtakCard(scene, d, MARTE, { signer, headline: 'Nytt' }),
    ],
    ['vedtak/vedtak', 'seen by the line above', vedtakCard(scene, d, PER, { signer, notice: 'x' })],
    [
      'vedtak/form',
      'with errors',
      renderCard('vedtak/form', {
        t: {
          title: 'Registrer',
          body: 'Organ',
          caseNumber: 'Sak',
          date: 'Dato',
          summary: 'Sammendrag',
          unit: 'Enhet',
          deadline: 'Frist',
          submit: 'Registrer',
        },
        formId: 'f',
        units: [{ title: 'Heim skole', value: 'heim-skole' }],
        values: {
          body: 'Kommunestyret',
          caseNumber: '',
          date: '2027-03-10',
          summary: '',
          responsibleUnitId: '',
          deadline: '',
        },
        errorsTitle: 'Ikke registrert',
        errors: 'Frist',
      }),
    ],
  ];
}
