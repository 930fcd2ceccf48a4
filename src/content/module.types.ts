/**
 * What the Markdown parser extracts from a module file. Plain data: no
 * database ids. `line` is 1-based in the source file; `key` fields are stable
 * across re-imports and are what versioning compares.
 */
export interface ParsedModule {
  number: number;
  title: string;
  /** `05-monitoring-logging-and-incident-response`: number padded to 2, then the title. */
  slug: string;
  objectives: string[];
  /** As written, e.g. `12-14 hours`; undefined when the module has no such heading. */
  estimatedTime?: string;
  sections: ParsedSection[];
  activities: ParsedActivity[];
  knowledgeCheck: ParsedKnowledgeCheckQuestion[];
  resources: ParsedResource[];
  nextModule?: ParsedNextModule;
  checklist: ParsedChecklistItem[];
}

export interface ParsedSection {
  number: number;
  title: string;
  line: number;
  /** Markdown of the section's text before its first subsection (may be empty). */
  markdown: string;
  subsections: ParsedSubsection[];
}

export interface ParsedSubsection {
  title: string;
  line: number;
  /** Markdown of the subsection's body, without its heading. */
  markdown: string;
}

export interface ParsedActivity {
  /** `activity-3` */
  key: string;
  number: number;
  title: string;
  line: number;
  steps: ParsedStep[];
}

export interface ParsedStep {
  /** `activity-3-step-2` */
  key: string;
  /** 1-based position in the activity's ordered list. */
  number: number;
  /** Plain text of the step (inline Markdown flattened). */
  text: string;
  line: number;
}

export interface ParsedKnowledgeCheckQuestion {
  /** `kc-4` */
  key: string;
  number: number;
  text: string;
  line: number;
}

export interface ParsedResource {
  title: string;
  url: string;
}

export interface ParsedNextModule {
  /** The module number named in the link text, when it names one. */
  number?: number;
  title: string;
  href: string;
}

export interface ParsedChecklistItem {
  /** Slug of the text, made unique within the module: `completed-activity-1-enable-and-configure-cloudtrail`. */
  key: string;
  /** 1-based position in the checklist. */
  position: number;
  text: string;
  line: number;
  /** Set when the item reads `Completed Activity N: …`. */
  activityNumber?: number;
}

export type ProblemSeverity = 'error' | 'warning';

export interface ModuleProblem {
  severity: ProblemSeverity;
  /** Stable kebab-case code, e.g. `missing-title`, `activity-without-steps`. */
  code: string;
  message: string;
  /** 1-based line in the file the problem is about. */
  line: number;
}

export interface ParseResult {
  /** Present whenever a title was found, even alongside errors (for reports). */
  module?: ParsedModule;
  problems: ModuleProblem[];
}
