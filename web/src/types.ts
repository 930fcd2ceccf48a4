// Shapes from openapi.json (ModuleProgressDto, ModuleDetailDto, SectionDto): only the fields the pages use.
export interface StepProgress {
  id: string;
  number: number;
  text: string;
  done: boolean;
}
export interface ActivityProgress {
  id: string;
  number: number;
  title: string;
  stepsDone: number;
  stepsTotal: number;
  steps: StepProgress[];
}
export interface ChecklistProgress {
  id: string;
  text: string;
  activityId: string | null;
  done: boolean;
  requiresVerification: boolean;
  verified: boolean;
}
export interface KnowledgeCheckProgress {
  quizId: string | null;
  attemptsUsed: number;
  attemptsLeft: number | 'unlimited';
  countedScore: number | null;
  passed: boolean | null;
  pendingGrading: boolean;
}
export interface ModuleProgress {
  module: { id: string; slug: string; number: number; title: string };
  status: 'not_started' | 'in_progress' | 'completed';
  percentage: number;
  unmet: string[];
  activities: ActivityProgress[];
  checklist: ChecklistProgress[];
  knowledgeCheck: KnowledgeCheckProgress;
}
export interface CourseProgress {
  userId: string;
  modules: ModuleProgress[];
}
export interface Subsection {
  title: string;
  markdown: string;
  html?: string;
}
export interface Section {
  number: number;
  title: string;
  markdown: string;
  html?: string;
  subsections: Subsection[];
}
export interface ModuleDetail {
  id: string;
  slug: string;
  number: number;
  title: string;
  objectives: string[];
  sections: Section[];
}
