// Shapes from openapi.json (GradingQueueDto, AttemptResponseDto, CohortDto, UserResponseDto): the fields the
// grading pages use.
export interface GradingQueueItem {
  attemptId: string;
  attemptNumber: number;
  learner: { id: string; displayName: string };
  quizId: string;
  questionVersionId: string;
  position: number;
  questionType: string;
  prompt: string;
  answer: string | null;
  rubric: string | null;
  maxScore: number;
  submittedAt: string;
}
export interface GradingQueue {
  cohortId: string;
  items: GradingQueueItem[];
  nextCursor: string | null;
}
export interface CohortRef {
  id: string;
  name: string;
  /** Empty: the whole course. */
  moduleIds: string[];
}
/** ModuleDetailDto: what the queue's quiz filter names. */
export interface ModuleQuizRef {
  id: string;
  number: number;
  title: string;
  knowledgeCheck: { quizId: string | null };
}
export interface UserRef {
  id: string;
  displayName: string;
}
export interface LabelledItem {
  id: string;
  text: string;
}
export interface StaffQuestion {
  type: string;
  prompt: string;
  points: number;
  choices?: LabelledItem[];
  items?: LabelledItem[];
  prompts?: LabelledItem[];
  options?: LabelledItem[];
  unit?: string;
}
/** A saved answer, shaped by its question's type (ResponseInputDto). */
export interface ResponseValue {
  type: string;
  choiceId?: string;
  choiceIds?: string[];
  value?: boolean | number;
  text?: string;
  order?: string[];
  pairs?: Record<string, string>;
}
export interface AttemptQuestion {
  questionVersionId: string;
  position: number;
  question: StaffQuestion;
  response: ResponseValue | null;
}
export interface QuestionResult {
  questionVersionId: string;
  maxScore: number;
  score?: number | null;
  correctness?: string;
  feedback?: string[];
  rightAnswer?: unknown;
  explanation?: string;
}
export interface AttemptScore {
  raw: number | null;
  max: number | null;
  scaled: number | null;
  passed: boolean | null;
  pending: number;
}
export interface StaffAttempt {
  id: string;
  quizId: string;
  userId: string;
  number: number;
  state: string;
  startedAt: string;
  submittedAt: string | null;
  late: boolean;
  questions: AttemptQuestion[];
  score: AttemptScore | null;
  results: QuestionResult[];
  attemptsUsed: number;
  attemptsAllowed: number | 'unlimited';
}
export interface GradeInput {
  questionVersionId: string;
  score: number;
  reason: string;
}
