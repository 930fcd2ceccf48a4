import {
  AttemptEventDto,
  GradeChangedEventDto,
  ModuleImportedEventDto,
  ProgressEventDto,
  ProgressUpdatedEventDto,
  RosterChangedEventDto,
  UserDeletedEventDto,
  WebhookTestEventDto,
} from './dto/event-data.dto';

/** Every event the service tells the outside world about: its `type`, what it means, and its `data`. */
export const EVENT_CATALOGUE = {
  'attempt.started': { description: 'A learner started a new attempt (not a resume)', data: AttemptEventDto },
  'attempt.submitted': {
    description: 'An attempt was finished: submitted by the learner, or closed at its deadline',
    data: AttemptEventDto,
  },
  'attempt.graded': {
    description: 'An attempt has its final score: scored on submit, or a person graded the last essay',
    data: AttemptEventDto,
  },
  'attempt.grade_changed': {
    description: 'A graded attempt’s score changed: an instructor’s override, or a regrade after a key correction',
    data: GradeChangedEventDto,
  },
  'progress.completed': { description: 'A learner completed a module', data: ProgressEventDto },
  'progress.uncompleted': {
    description: 'A module a learner had completed is no longer complete (a step unticked, a grade changed)',
    data: ProgressEventDto,
  },
  'progress.updated': {
    description:
      'A learner’s progress in a module changed (a step, an item, an attempt); at most one a second per learner and ' +
      'module, carrying the progress as it then stands',
    data: ProgressUpdatedEventDto,
  },
  'module.imported': { description: 'A module was imported or re-imported', data: ModuleImportedEventDto },
  'cohort.roster_changed': { description: 'Learners joined or left a cohort', data: RosterChangedEventDto },
  'user.deleted': { description: 'A person was deleted', data: UserDeletedEventDto },
  'webhook.test': { description: 'Sent by POST /v1/webhooks/{id}/test', data: WebhookTestEventDto },
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];
/** The types an endpoint may subscribe to (`webhook.test` is sent on request only). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((type) => type !== 'webhook.test');
export const EVENT_DATA_MODELS = [...new Set(Object.values(EVENT_CATALOGUE).map((entry) => entry.data))];
