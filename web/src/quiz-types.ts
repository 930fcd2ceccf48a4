// Shapes from openapi.json (AttemptResponseDto, AttemptQuestionDto, LearnerQuestionDto, QuestionResultDto):
// only the fields the quiz and review pages use.
export type QuestionType =
  'single_choice' | 'multiple_choice' | 'true_false' | 'short_text' | 'numeric' | 'ordering' | 'matching' | 'essay';

export interface LabelledItem {
  id: string;
  text: string;
}

export interface LearnerQuestion {
  type: QuestionType;
  prompt: string;
  points: number;
  hint?: string;
  choices?: LabelledItem[];
  items?: LabelledItem[];
  prompts?: LabelledItem[];
  options?: LabelledItem[];
  unit?: string;
  maxWords?: number;
}

/** A saved answer, as PUT /v1/attempts/{id}/responses takes it and GET returns it. */
export type ResponseValue =
  | { type: 'single_choice'; choiceId: string }
  | { type: 'multiple_choice'; choiceIds: string[] }
  | { type: 'true_false'; value: boolean }
  | { type: 'short_text'; text: string }
  | { type: 'numeric'; value: number }
  | { type: 'ordering'; order: string[] }
  | { type: 'matching'; pairs: Record<string, string> }
  | { type: 'essay'; text: string };

export interface AttemptQuestion {
  questionVersionId: string;
  position: number;
  question: LearnerQuestion;
  response: ResponseValue | null;
}

export type RightAnswer =
  | { choiceIds: string[] }
  | { value: boolean }
  | { text: string }
  | { answer: number; tolerance: number; unit?: string }
  | { correctOrder: string[] }
  | { pairs: Record<string, string> };

export interface QuestionResult {
  questionVersionId: string;
  maxScore: number;
  score?: number | null;
  correctness?: 'correct' | 'partial' | 'incorrect' | 'pending';
  feedback?: string[];
  rightAnswer?: RightAnswer;
  explanation?: string;
}

export interface AttemptScore {
  raw: number | null;
  max: number | null;
  scaled: number | null;
  passed: boolean | null;
  pending: number;
}

export type AttemptState = 'in_progress' | 'submitted' | 'pending_grading' | 'graded' | 'abandoned';

export interface Attempt {
  id: string;
  quizId: string;
  userId: string;
  number: number;
  state: AttemptState;
  startedAt: string;
  deadlineAt: string | null;
  closesAt: string | null;
  submittedAt: string | null;
  dueAt: string | null;
  late: boolean;
  lateDeduction: number;
  questions: AttemptQuestion[];
  score: AttemptScore | null;
  results?: QuestionResult[];
  attemptsUsed: number;
  attemptsAllowed: number | 'unlimited';
}

export interface AttemptSummary {
  id: string;
  quizId: string;
  number: number;
  state: AttemptState;
  startedAt: string;
  submittedAt: string | null;
  score: AttemptScore | null;
}

export interface AttemptList {
  items: AttemptSummary[];
}

export interface QuizSettings {
  attemptsAllowed: number | 'unlimited';
  passMark: number;
  timeLimitMinutes?: number;
  gradingMethod: string;
  review: { show: 'score' | 'correctness' | 'answers'; when: 'immediately' | 'after_last_attempt' };
}

export interface Quiz {
  id: string;
  moduleId: string;
  title: string;
  settings: QuizSettings;
}
