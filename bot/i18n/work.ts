import { fill, type Language } from '.';
import type { ProcessRefusal } from '../processes/process-rules';
import type { ProjectRefusal } from '../projects/project-rules';
import type { TaskRefusal, TextField } from '../tasks/task-rules';
import type { TaskStatus } from '../tasks/task';
import type { FollowUpStatus } from '../vedtak/vedtak';
import type { VedtakField, VedtakRefusal } from '../vedtak/vedtak-rules';

/**
 * The words of processes, projects, tasks and political decisions (issue #9) in nb and en:
 * every refusal code of the domain rules has a sentence in both languages (the types make sure).
 * Placeholders are {name}; values are plain text, never evaluated.
 */

type Codes<R extends { code: string }> = Record<R['code'], string>;

const nb = {
  task: {
    'parent-not-active':
      'Prosessen er ikke forankret ennå, eller den er avsluttet: den tar ikke oppgaver.',
    'not-allowed-to-create':
      'Bare eieren, eller et medlem eieren har gitt lov, kan lage oppgaver her.',
    'not-allowed': 'Du kan ikke gjøre dette med oppgaven.',
    empty: 'Skriv {field}.',
    'too-long': '{field} kan være høyst {max} tegn.',
    'bad-date': 'Fristen må være en gyldig dato (ÅÅÅÅ-MM-DD).',
    'due-in-past': 'Fristen kan ikke være før i dag ({today}).',
    'unknown-person': 'Personen finnes ikke i organisasjonen.',
    'unknown-unit': 'Enheten finnes ikke.',
    'unit-without-leader': 'Enheten har ingen leder å gi oppgaven til.',
    'same-assignee': 'Oppgaven er allerede hos denne personen.',
    'wrong-status': 'Oppgaven er {status}.',
  } satisfies Codes<TaskRefusal>,
  taskFields: {
    title: 'en tittel',
    description: 'en beskrivelse',
    note: 'en kommentar',
    reason: 'en begrunnelse',
  } satisfies Record<TextField, string>,
  taskStatuses: {
    open: 'ny',
    accepted: 'akseptert',
    blocked: 'hindret',
    handover_requested: 'ønskes overlevert',
    done: 'utført',
    cancelled: 'avlyst',
  } satisfies Record<TaskStatus, string>,
  process: {
    'not-owner': 'Bare prosesseieren kan gjøre dette.',
    'not-anchorer': 'Bare rådmannen, eller kommunalsjefen i linjen, kan forankre prosessen.',
    'already-anchored': 'Prosessen er allerede forankret.',
    closed: 'Prosessen er avsluttet.',
    draft: 'Prosessen er ikke forankret på rådmannsnivå ennå.',
    'unknown-person': 'Personen finnes ikke i organisasjonen.',
    'already-member': 'Personen er allerede med i gruppen.',
    'already-nominated': 'Personen er allerede foreslått og venter på sin leder.',
    'no-nomination': 'Det er ingen forespørsel om å avse denne personen.',
    'not-releaser': 'Bare lederen til den som er foreslått, kan avse eller avslå.',
    'bad-share': 'Andelen av arbeidstiden må være et helt tall fra 1 til 100.',
    'comment-required': 'Skriv en begrunnelse.',
    'too-long': 'Teksten kan være høyst {max} tegn.',
    'no-units': 'Velg minst én enhet tiltaket gjelder.',
    'unknown-unit': 'Enheten «{unitId}» finnes ikke.',
    'no-measure': 'Tiltak {number} finnes ikke.',
    'not-unit-leader': 'Bare lederen for enheten kan svare for den.',
    'already-answered': 'Dette er allerede besvart.',
    'nothing-declined': 'Ingen enhetsleder har avslått tiltaket.',
    'already-escalated': 'Tiltaket er allerede lagt fram for rådmannen.',
    'not-escalated': 'Tiltaket er ikke lagt fram for rådmannen.',
    'not-radmann': 'Bare rådmannen avgjør dette.',
  } satisfies Codes<ProcessRefusal>,
  project: {
    'not-owner': 'Bare prosjekteieren kan be om en beslutning.',
    'not-in-steering-group': 'Bare styringsgruppen beslutter faseoverganger.',
    closed: 'Prosjektet er avsluttet.',
    'gate-pending': 'Beslutningspunkt {number} venter allerede på styringsgruppen.',
    'no-gate': 'Ingen beslutning venter på styringsgruppen.',
    'stale-gate': 'Kortet gjelder et tidligere beslutningspunkt; nå gjelder nummer {number}.',
    'already-voted': 'Du har allerede stemt ({vote}).',
    'comment-required': 'Skriv hva som må endres før prosjektet kan gå videre.',
    'report-required':
      'Avslutning krever sluttrapport: lenke, sammendrag og hvor resultatet realiseres.',
    'bad-report-url': 'Lenken til sluttrapporten må begynne med https://.',
    'too-long': 'Teksten kan være høyst {max} tegn.',
    'bad-quorum': 'Beslutningsdyktigheten passer ikke til styringsgruppens størrelse.',
  } satisfies Codes<ProjectRefusal>,
  votes: { approve: 'godkjent', send_back: 'sendt tilbake' },
  vedtak: {
    'not-radmann-staff': 'Bare rådmannens stab registrerer politiske vedtak.',
    empty: 'Skriv {field}.',
    'too-long': '{field} kan være høyst {max} tegn.',
    'bad-date': '{field} må være en gyldig dato (ÅÅÅÅ-MM-DD).',
    'date-in-future': 'Vedtaksdatoen kan ikke være fram i tid.',
    'deadline-before-date': 'Fristen kan ikke være før vedtaket.',
    'unknown-unit': 'Den ansvarlige enheten finnes ikke.',
    'unit-without-leader': 'Den ansvarlige enheten har ingen leder.',
    'not-responsible': 'Bare lederen for den ansvarlige enheten kan melde status.',
    'bad-status': 'Ukjent status.',
    unchanged: 'Statusen er den samme; skriv en kommentar eller velg en annen status.',
  } satisfies Codes<VedtakRefusal>,
  vedtakFields: {
    body: 'organ',
    caseNumber: 'saksnummer',
    summary: 'sammendrag',
    comment: 'kommentar',
    date: 'vedtaksdato',
    deadline: 'frist',
  } satisfies Record<VedtakField | 'date' | 'deadline', string>,
  followUp: {
    not_started: 'ikke startet',
    in_progress: 'under arbeid',
    done: 'utført',
    delayed: 'forsinket',
  } satisfies Record<FollowUpStatus, string>,
  taskCard: {
    parent: 'Prosess',
    due: 'Frist',
    assignee: 'Ansvarlig',
    owner: 'Eier',
    status: 'Status',
    accept: 'Aksepter',
    done: 'Utført',
    doneNote: 'Hva ble gjort?',
    confirmDone: 'Meld utført',
    blocked: 'Hindret',
    blockedReason: 'Hva hindrer deg?',
    confirmBlocked: 'Meld hinder',
    unblock: 'Hinderet er borte',
    handover: 'Be om å overlevere',
    handoverReason: 'Hvorfor?',
    handoverTo: 'Foreslå hvem (valgfritt)',
    confirmHandover: 'Send til eieren',
    approveHandover: 'Overlever',
    handoverChoose: 'Til hvem?',
    refuseHandover: 'Avslå overlevering',
    refuseReason: 'Begrunnelse',
    confirmRefuse: 'Avslå',
    doneText: 'Utført: {note}',
    blockedText: 'Hinder: {reason}',
    handoverText: '{name} ber om å overlevere oppgaven: {reason}',
    suggested: 'Foreslått: {name}',
    overdue: 'Fristen gikk ut {date}.',
    newTask: 'Du har fått en oppgave',
    handedToYou: 'Oppgaven er overlevert til deg',
    handoverAsked: 'Overlevering ønskes',
    reminder: 'Oppgaven har passert fristen',
    doneNotice: '{name} har meldt oppgaven utført.',
    blockedNotice: '{name} har meldt et hinder.',
    created: 'Oppgaven er opprettet og sendt til {name}.',
  },
  processCard: {
    status: 'Status',
    owner: 'Eier',
    commissioner: 'Oppdragsgiver',
    anchored: 'Forankret',
    mandate: 'Mandat',
    goals: 'Mål',
    group: 'Tverrfaglig gruppe',
    noMembers: 'Ingen i gruppen ennå.',
    share: 'Andel av arbeidstiden (prosent, valgfritt)',
    comment: 'Kommentar (valgfritt)',
    reason: 'Begrunnelse',
    anchor: 'Bekreft mandatet',
    release: 'Avse',
    confirmRelease: 'Avse til gruppen',
    decline: 'Avslå',
    confirmDecline: 'Avslå forespørselen',
    nominate: 'Foreslå deltaker',
    who: 'Hvem?',
    confirmNominate: 'Foreslå',
    waiting: 'Venter på leder: {names}.',
    anchoredBy: '{name}, {date}',
    anchorAsk:
      'Prosessen drives på enhets- eller stabsnivå og må forankres på rådmannsnivå før den kan ta oppgaver.',
    releaseAsk: '{owner} ber om å få {nominee} med i gruppen. Du er lederen som avgjør.',
    headlines: {
      anchor: 'Forankring av mandat',
      anchored: 'Prosessen er forankret',
      release: 'Forespørsel om å avse personell',
      released: '{nominee} er avgitt til gruppen',
      declined: '{nominee} ble ikke avgitt',
      joined: 'Du er med i gruppen',
      nominated: 'Du er foreslått til gruppen',
    },
    declineReason: 'Begrunnelse: {reason}',
    listTitle: 'Gjennomgående prosesser',
    listDetail: '{status} · eier {owner} · {count} i gruppen',
    listHint: 'Skriv «prosess <navn>» for å se en prosess, «oppgaver <navn>» for oppgavene.',
    unknown: 'Fant ingen prosess som heter «{text}». Skriv «prosesser» for å se dem.',
  },
  taskList: {
    mineTitle: 'Mine oppgaver',
    mineEmpty: 'Du har ingen åpne oppgaver.',
    parentTitle: 'Oppgaver i {name}',
    parentEmpty: 'Ingen oppgaver ennå.',
    progress: '{done} av {total} utført, {overdue} forfalt.',
    overdue: 'forfalt',
    show: 'Vis',
    page: 'Side {page} av {pages}',
    next: 'Neste side',
    previous: 'Forrige side',
    unknownParent: 'Fant ingen prosess som heter «{text}». Skriv «prosesser» for å se dem.',
    notInGroup: 'Oppgavene i {name} vises bare for eieren, gruppen og linjen over dem.',
  },
  taskForm: {
    title: 'Ny oppgave',
    parent: 'Prosess',
    taskTitle: 'Tittel',
    description: 'Beskrivelse',
    assignee: 'Hvem skal gjøre den?',
    due: 'Frist',
    submit: 'Opprett oppgave',
    noParents: 'Du eier ingen aktiv prosess og har ikke fått lov til å lage oppgaver i noen.',
    errorsTitle: 'Oppgaven ble ikke opprettet:',
  },
  processList: {
    title: 'Gjennomgående prosesser',
    owner: 'Eier',
    members: '{count} i gruppen',
    draft: 'utkast, venter på forankring',
    active: 'aktiv',
    closed: 'avsluttet',
  },
};

type WorkTexts = typeof nb;

const en: WorkTexts = {
  task: {
    'parent-not-active': 'The process is not anchored yet, or it has ended: it takes no tasks.',
    'not-allowed-to-create':
      'Only the owner, or a member the owner allowed, can create tasks here.',
    'not-allowed': 'You cannot do this with the task.',
    empty: 'Write {field}.',
    'too-long': '{field} can be at most {max} characters.',
    'bad-date': 'The due date must be a valid date (YYYY-MM-DD).',
    'due-in-past': 'The due date cannot be before today ({today}).',
    'unknown-person': 'The person is not in the organisation.',
    'unknown-unit': 'The unit does not exist.',
    'unit-without-leader': 'The unit has no leader to give the task to.',
    'same-assignee': 'The task is already with this person.',
    'wrong-status': 'The task is {status}.',
  },
  taskFields: {
    title: 'a title',
    description: 'a description',
    note: 'a comment',
    reason: 'a reason',
  },
  taskStatuses: {
    open: 'new',
    accepted: 'accepted',
    blocked: 'blocked',
    handover_requested: 'awaiting handover',
    done: 'done',
    cancelled: 'cancelled',
  },
  process: {
    'not-owner': 'Only the process owner can do this.',
    'not-anchorer':
      'Only the chief executive, or the head of department in the line, can anchor the process.',
    'already-anchored': 'The process is already anchored.',
    closed: 'The process has ended.',
    draft: 'The process is not anchored at the top level yet.',
    'unknown-person': 'The person is not in the organisation.',
    'already-member': 'The person is already in the group.',
    'already-nominated': 'The person is already nominated and waits for their leader.',
    'no-nomination': 'Nobody has asked to release this person.',
    'not-releaser': "Only the nominee's leader can release or decline.",
    'bad-share': 'The share of working time must be a whole number from 1 to 100.',
    'comment-required': 'Write a reason.',
    'too-long': 'The text can be at most {max} characters.',
    'no-units': 'Choose at least one unit the measure applies to.',
    'unknown-unit': 'The unit "{unitId}" does not exist.',
    'no-measure': 'Measure {number} does not exist.',
    'not-unit-leader': "Only the unit's leader can answer for it.",
    'already-answered': 'This has already been answered.',
    'nothing-declined': 'No unit leader has declined the measure.',
    'already-escalated': 'The measure is already with the chief executive.',
    'not-escalated': 'The measure has not been taken to the chief executive.',
    'not-radmann': 'Only the chief executive decides this.',
  },
  project: {
    'not-owner': 'Only the project owner can ask for a decision.',
    'not-in-steering-group': 'Only the steering group decides phase changes.',
    closed: 'The project is closed.',
    'gate-pending': 'Decision point {number} already waits for the steering group.',
    'no-gate': 'No decision waits for the steering group.',
    'stale-gate': 'The card is for an earlier decision point; number {number} applies now.',
    'already-voted': 'You have already voted ({vote}).',
    'comment-required': 'Write what must change before the project can move on.',
    'report-required':
      'Closing needs a final report: a link, a summary and where the result is realised.',
    'bad-report-url': 'The link to the final report must start with https://.',
    'too-long': 'The text can be at most {max} characters.',
    'bad-quorum': "The quorum does not fit the steering group's size.",
  },
  votes: { approve: 'approved', send_back: 'sent back' },
  vedtak: {
    'not-radmann-staff': "Only the chief executive's staff registers political decisions.",
    empty: 'Write the {field}.',
    'too-long': 'The {field} can be at most {max} characters.',
    'bad-date': 'The {field} must be a valid date (YYYY-MM-DD).',
    'date-in-future': 'The date of the decision cannot be in the future.',
    'deadline-before-date': 'The deadline cannot be before the decision.',
    'unknown-unit': 'The responsible unit does not exist.',
    'unit-without-leader': 'The responsible unit has no leader.',
    'not-responsible': "Only the responsible unit's leader can report status.",
    'bad-status': 'Unknown status.',
    unchanged: 'The status is the same; write a comment or choose another status.',
  },
  vedtakFields: {
    body: 'body',
    caseNumber: 'case number',
    summary: 'summary',
    comment: 'comment',
    date: 'date of decision',
    deadline: 'deadline',
  },
  followUp: {
    not_started: 'not started',
    in_progress: 'in progress',
    done: 'done',
    delayed: 'delayed',
  },
  taskCard: {
    parent: 'Process',
    due: 'Due',
    assignee: 'Assigned to',
    owner: 'Owner',
    status: 'Status',
    accept: 'Accept',
    done: 'Done',
    doneNote: 'What was done?',
    confirmDone: 'Report done',
    blocked: 'Blocked',
    blockedReason: 'What is in the way?',
    confirmBlocked: 'Report blocked',
    unblock: 'No longer blocked',
    handover: 'Ask to hand over',
    handoverReason: 'Why?',
    handoverTo: 'Suggest someone (optional)',
    confirmHandover: 'Send to the owner',
    approveHandover: 'Hand over',
    handoverChoose: 'To whom?',
    refuseHandover: 'Refuse handover',
    refuseReason: 'Reason',
    confirmRefuse: 'Refuse',
    doneText: 'Done: {note}',
    blockedText: 'Blocked: {reason}',
    handoverText: '{name} asks to hand the task over: {reason}',
    suggested: 'Suggested: {name}',
    overdue: 'The due date passed on {date}.',
    newTask: 'You have a new task',
    handedToYou: 'The task was handed over to you',
    handoverAsked: 'Handover requested',
    reminder: 'The task is past its due date',
    doneNotice: '{name} reported the task done.',
    blockedNotice: '{name} reported the task blocked.',
    created: 'The task was created and sent to {name}.',
  },
  processCard: {
    status: 'Status',
    owner: 'Owner',
    commissioner: 'Commissioned by',
    anchored: 'Anchored',
    mandate: 'Mandate',
    goals: 'Goals',
    group: 'Cross-disciplinary group',
    noMembers: 'Nobody in the group yet.',
    share: 'Share of working time (percent, optional)',
    comment: 'Comment (optional)',
    reason: 'Reason',
    anchor: 'Confirm the mandate',
    release: 'Release',
    confirmRelease: 'Release to the group',
    decline: 'Decline',
    confirmDecline: 'Decline the request',
    nominate: 'Nominate a participant',
    who: 'Who?',
    confirmNominate: 'Nominate',
    waiting: 'Waiting for their leader: {names}.',
    anchoredBy: '{name}, {date}',
    anchorAsk:
      'The process is run at unit or staff level and must be anchored at the top level before it takes tasks.',
    releaseAsk: '{owner} asks to have {nominee} in the group. You are the leader who decides.',
    headlines: {
      anchor: 'Anchoring a mandate',
      anchored: 'The process is anchored',
      release: 'Request to release staff',
      released: '{nominee} was released to the group',
      declined: '{nominee} was not released',
      joined: 'You are in the group',
      nominated: 'You were nominated to the group',
    },
    declineReason: 'Reason: {reason}',
    listTitle: 'Cross-cutting processes',
    listDetail: '{status} · owner {owner} · {count} in the group',
    listHint: 'Write "process <name>" to see a process, "tasks <name>" for its tasks.',
    unknown: 'No process is called "{text}". Write "processes" to see them.',
  },
  taskList: {
    mineTitle: 'My tasks',
    mineEmpty: 'You have no open tasks.',
    parentTitle: 'Tasks in {name}',
    parentEmpty: 'No tasks yet.',
    progress: '{done} of {total} done, {overdue} overdue.',
    overdue: 'overdue',
    show: 'Show',
    page: 'Page {page} of {pages}',
    next: 'Next page',
    previous: 'Previous page',
    unknownParent: 'No process is called "{text}". Write "processes" to see them.',
    notInGroup:
      'The tasks of {name} are shown only to the owner, the group and the line above them.',
  },
  taskForm: {
    title: 'New task',
    parent: 'Process',
    taskTitle: 'Title',
    description: 'Description',
    assignee: 'Who is to do it?',
    due: 'Due date',
    submit: 'Create task',
    noParents: 'You own no active process and may not create tasks in any.',
    errorsTitle: 'The task was not created:',
  },
  processList: {
    title: 'Cross-cutting processes',
    owner: 'Owner',
    members: '{count} in the group',
    draft: 'draft, waiting to be anchored',
    active: 'active',
    closed: 'closed',
  },
};

export function workTexts(language: Language): WorkTexts {
  return language === 'en' ? en : nb;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A task refusal as the person reads it. */
export function taskRefusalText(refusal: TaskRefusal, language: Language): string {
  const t = workTexts(language);
  const values: Record<string, string | number> = { ...refusal } as Record<string, string | number>;
  if ('field' in refusal) values.field = t.taskFields[refusal.field];
  if (refusal.code === 'too-long') values.field = capitalised(t.taskFields[refusal.field]);
  if (refusal.code === 'wrong-status') values.status = t.taskStatuses[refusal.status];
  return fill(t.task[refusal.code], values);
}

export function processRefusalText(refusal: ProcessRefusal, language: Language): string {
  return fill(workTexts(language).process[refusal.code], { ...refusal } as Record<
    string,
    string | number
  >);
}

export function projectRefusalText(refusal: ProjectRefusal, language: Language): string {
  const t = workTexts(language);
  const values = { ...refusal } as Record<string, string | number>;
  if (refusal.code === 'already-voted') values.vote = t.votes[refusal.vote];
  return fill(t.project[refusal.code], values);
}

export function vedtakRefusalText(refusal: VedtakRefusal, language: Language): string {
  const t = workTexts(language);
  const values = { ...refusal } as Record<string, string | number>;
  if ('field' in refusal) values.field = t.vedtakFields[refusal.field];
  if (language === 'nb' && refusal.code !== 'empty' && 'field' in refusal)
    values.field = capitalised(t.vedtakFields[refusal.field]);
  return fill(t.vedtak[refusal.code], values);
}
