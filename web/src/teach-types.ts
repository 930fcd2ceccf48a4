// Shapes from openapi.json for the instructor's pages (CohortPageDto, CohortDto, CohortProgressDto,
// ItemAnalysisDto, AttemptListDto, UserResponseDto, ModulePageDto, QuizDto): only the fields the pages use.

export interface ModuleSummaryRow {
  moduleId: string;
  slug: string;
  completed: number;
  completionRate: number;
  passRate: number;
  meanScore: number | null;
}
export interface CohortOverview {
  id: string;
  name: string;
  moduleIds: string[];
  archived: boolean;
  learners: number;
  modules: ModuleSummaryRow[];
}
export interface CohortPage {
  items: CohortOverview[];
  nextCursor: string | null;
}
export interface Cohort {
  id: string;
  name: string;
  moduleIds: string[];
  archived: boolean;
}

export interface ModuleSummary {
  id: string;
  slug: string;
  number: number;
  title: string;
}
export interface ModulePage {
  items: ModuleSummary[];
  nextCursor: string | null;
}
export interface ModuleQuizRef {
  id: string;
  slug: string;
  number: number;
  title: string;
  knowledgeCheck: { quizId: string } | null;
}

export const REPORT_STATUSES = ['not_started', 'in_progress', 'completed', 'failed', 'stuck'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const REPORT_SORTS = ['name', 'status', 'percentage', 'score', 'lastActivity', 'completedAt'] as const;
export type ReportSort = (typeof REPORT_SORTS)[number];

export interface ProgressRow {
  userId: string;
  displayName: string;
  status: 'not_started' | 'in_progress' | 'completed';
  failed: boolean;
  stuck: boolean;
  percentage: number;
  attemptsUsed: number;
  countedScore: number | null;
  passed: boolean | null;
  lastActivityAt: string | null;
}
export interface ActivityRate {
  activityId: string;
  number: number;
  title: string;
  completed: number;
  rate: number;
}
export interface ProgressSummary {
  learners: number;
  counts: Record<ReportStatus, number>;
  completionRate: number;
  passRate: number;
  meanScore: number | null;
  medianScore: number | null;
  histogram: number[];
  activities: ActivityRate[];
}
export interface CohortProgress {
  cohortId: string;
  moduleId: string;
  summary: ProgressSummary;
  items: ProgressRow[];
  nextCursor: string | null;
}

export interface ChoiceShare {
  id: string;
  text: string;
  share: number;
}
export interface ItemStatistics {
  questionId: string;
  questionKey: string;
  questionType: string;
  shown: number;
  shared: boolean;
  responses: number;
  blankShare: number | null;
  facility: number | null;
  discrimination: number | null;
  choices?: ChoiceShare[];
}
export interface ItemAnalysis {
  cohortId: string;
  quizId: string;
  learners: number;
  quiz: {
    mean: number | null;
    standardDeviation: number | null;
    cronbachAlpha: number | null;
    alphaOmittedReason: string | null;
    sharedQuestions: number;
    maxScore: number;
  };
  items: ItemStatistics[];
}
export interface QuizQuestions {
  id: string;
  title: string;
  questions: { id: string; key: string; prompt: string; position: number }[];
}

export interface UserSummary {
  id: string;
  displayName: string;
  email: string;
}
export interface AttemptSummary {
  id: string;
  quizId: string;
  number: number;
  state: 'in_progress' | 'submitted' | 'pending_grading' | 'graded' | 'abandoned';
  startedAt: string;
  submittedAt: string | null;
  late: boolean;
  score: {
    raw: number | null;
    max: number | null;
    scaled: number | null;
    passed: boolean | null;
    pending: number;
  } | null;
}
export interface AttemptList {
  items: AttemptSummary[];
  grades: {
    quizId: string;
    gradingMethod: string;
    scaled: number | null;
    passed: boolean | null;
    attemptsUsed: number;
    attemptsAllowed: number | 'unlimited';
  }[];
}
