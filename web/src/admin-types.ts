// Shapes from openapi.json for the admin pages (ModulePageDto, ImportReportDto, ImportRejectedProblemDto,
// UserPageDto, ClientPageDto, CreatedClientResponseDto): only the fields the pages use.

/** A cursor page, as every list route of the API answers. */
export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ModuleSummary {
  id: string;
  slug: string;
  number: number;
  title: string;
  estimatedTime: string | null;
  updatedAt: string;
}

/** ImportModuleDto: each file at most 512 KiB of UTF-8 (MAX_IMPORT_FILE_BYTES). */
export const MAX_IMPORT_FILE_BYTES = 512 * 1024;

export interface ImportRequest {
  markdown: string;
  answerKey?: string;
  answerKeyFormat?: 'yaml' | 'json';
  dryRun: boolean;
}

export interface ImportProblem {
  source: 'module' | 'answer-key';
  severity: 'error' | 'warning';
  code: string;
  message: string;
  line: number | null;
  path?: string;
}

export type ImportItemKind = 'module' | 'quiz_settings' | 'activity' | 'step' | 'checklist_item' | 'question';

export interface ImportItem {
  kind: ImportItemKind;
  key: string;
  fields?: string[];
}

export interface ImportReport {
  module: { id: string | null; slug: string; number: number; title: string };
  status: 'created' | 'updated' | 'unchanged';
  dryRun: boolean;
  changes: { added: ImportItem[]; changed: ImportItem[]; retired: ImportItem[]; unchanged: number };
  ungradedKnowledgeCheck: number[];
  warnings: ImportProblem[];
}

export const ROLES = ['learner', 'instructor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  externalId: string | null;
  email: string;
  displayName: string;
  roles: Role[];
  createdAt: string;
  updatedAt: string;
}

/** CreateUserDto: the password is optional (LMS-only users have none), 10 to 256 characters. */
export interface CreateUser {
  email: string;
  displayName: string;
  roles: Role[];
  externalId?: string;
  password?: string;
}

export const SCOPES = [
  'users:read',
  'users:write',
  'cohorts:read',
  'cohorts:write',
  'progress:read',
  'attempts:write',
  'content:write',
  'webhooks:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Client {
  id: string;
  clientId: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedClient extends Client {
  /** Shown this once; the API keeps only a hash. */
  clientSecret: string;
}
