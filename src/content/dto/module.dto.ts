import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { sectionsWithHtml } from '../markdown-html';
import type { CompletionRule } from '../import/answer-key';
import type { Activity } from '../entities/activity.entity';
import type { ActivityStep } from '../entities/activity-step.entity';
import type { ChecklistItem } from '../entities/checklist-item.entity';
import type { CourseModule } from '../entities/course-module.entity';
import type { Quiz } from '../entities/quiz.entity';
import { QuizSettingsDto, toQuizSettings } from './quiz-settings.dto';

export class ModuleSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '05-monitoring-logging-and-incident-response' })
  slug: string;

  @ApiProperty({ example: 5 })
  number: number;

  @ApiProperty({ example: 'Monitoring, Logging, and Incident Response' })
  title: string;

  @ApiProperty({ type: String, nullable: true, example: '12-14 hours' })
  estimatedTime: string | null;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ModulePageDto {
  @ApiProperty({ type: [ModuleSummaryDto] })
  items: ModuleSummaryDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class SubsectionDto {
  @ApiProperty({ example: 'Enabling CloudTrail' })
  title: string;

  @ApiProperty({ description: 'The subsection body, Markdown' })
  markdown: string;

  @ApiProperty({
    description: 'The same body as HTML, sanitised (no raw HTML, scripts or event handlers): safe to insert',
  })
  html: string;
}

export class SectionDto {
  @ApiProperty({ example: 1 })
  number: number;

  @ApiProperty({ example: 'AWS CloudTrail' })
  title: string;

  @ApiProperty({ description: 'Text before the first subsection, Markdown (may be empty)' })
  markdown: string;

  @ApiProperty({
    description: 'The same text as HTML, sanitised (no raw HTML, scripts or event handlers): safe to insert',
  })
  html: string;

  @ApiProperty({ type: [SubsectionDto] })
  subsections: SubsectionDto[];
}

export class ResourceDto {
  @ApiProperty({ example: 'CloudTrail Documentation' })
  title: string;

  @ApiProperty({ example: 'https://docs.aws.amazon.com/cloudtrail/' })
  url: string;
}

export class NextModuleDto {
  @ApiPropertyOptional({ example: 6 })
  number?: number;

  @ApiProperty({ example: 'Compliance and Governance' })
  title: string;

  @ApiProperty({ example: '../modules/06_Compliance_and_Governance.md' })
  href: string;
}

export class ActivityStepDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'activity-3-step-2' })
  key: string;

  @ApiProperty({ example: 2 })
  number: number;

  @ApiProperty({ example: 'Configure Config rules' })
  text: string;
}

export class ActivityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'activity-3' })
  key: string;

  @ApiProperty({ example: 3 })
  number: number;

  @ApiProperty({ example: 'Set Up AWS Config' })
  title: string;

  @ApiProperty({ type: [ActivityStepDto] })
  steps: ActivityStepDto[];
}

export class LinkedActivityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 3 })
  number: number;

  @ApiProperty({ example: 'Set Up AWS Config' })
  title: string;
}

export class ChecklistItemDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'completed-activity-3-set-up-aws-config' })
  key: string;

  @ApiProperty({ example: 4 })
  position: number;

  @ApiProperty({ example: 'Completed Activity 3: Set Up AWS Config' })
  text: string;

  @ApiProperty({ type: LinkedActivityDto, nullable: true, description: 'The activity the item names, if any' })
  activity: LinkedActivityDto | null;

  @ApiProperty({ description: 'Counts as done only once an instructor has verified it' })
  requiresVerification: boolean;
}

export class KnowledgeCheckSummaryDto {
  @ApiProperty({ format: 'uuid' })
  quizId: string;

  @ApiProperty({ example: 42 })
  questionCount: number;

  @ApiProperty({ example: 6, description: 'The module’s own knowledge-check questions' })
  knowledgeCheckQuestions: number;

  @ApiProperty({ example: 36, description: 'Further questions the answer key adds' })
  bankQuestions: number;

  @ApiProperty({ type: QuizSettingsDto })
  settings: QuizSettingsDto;
}

export class CompletionDto {
  @ApiProperty({ enum: ['all', 'none'], description: 'Whether every checklist item must be done' })
  checklist: CompletionRule['checklist'];

  @ApiProperty({ enum: ['passed', 'submitted', 'none'], description: 'What the knowledge check needs' })
  knowledgeCheck: CompletionRule['knowledgeCheck'];
}

export class ModuleDetailDto extends ModuleSummaryDto {
  @ApiProperty({ type: [String] })
  objectives: string[];

  @ApiProperty({ type: [SectionDto] })
  sections: SectionDto[];

  @ApiProperty({ type: [ResourceDto] })
  resources: ResourceDto[];

  @ApiProperty({ type: NextModuleDto, nullable: true })
  nextModule: NextModuleDto | null;

  @ApiProperty({ type: [ActivityDto] })
  activities: ActivityDto[];

  @ApiProperty({ type: [ChecklistItemDto] })
  checklistItems: ChecklistItemDto[];

  @ApiProperty({ type: KnowledgeCheckSummaryDto })
  knowledgeCheck: KnowledgeCheckSummaryDto;

  @ApiProperty({ type: CompletionDto })
  completion: CompletionDto;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function toModuleSummary(module: CourseModule): ModuleSummaryDto {
  return {
    id: module.id,
    slug: module.slug,
    number: module.number,
    title: module.title,
    estimatedTime: module.estimatedTime,
    updatedAt: module.updatedAt.toISOString(),
  };
}

export interface ModuleContents {
  activities: Activity[];
  steps: ActivityStep[];
  checklistItems: ChecklistItem[];
  quiz: Quiz;
  questionCounts: { knowledgeCheck: number; bank: number };
}

/** Retired rows must already be left out of `contents`. */
export function toModuleDetail(module: CourseModule, contents: ModuleContents): ModuleDetailDto {
  const activityById = new Map(contents.activities.map((activity) => [activity.id, activity]));
  const stepsByActivity = new Map<string, ActivityStepDto[]>();
  for (const { id, key, number, text, activityId } of contents.steps) {
    stepsByActivity.set(activityId, [...(stepsByActivity.get(activityId) ?? []), { id, key, number, text }]);
  }
  const { knowledgeCheck, bank } = contents.questionCounts;
  return {
    ...toModuleSummary(module),
    objectives: module.objectives,
    sections: sectionsWithHtml(`${module.id}:${module.updatedAt.toISOString()}`, module.sections),
    resources: module.resources,
    nextModule: module.nextModule,
    activities: contents.activities.map((activity) => ({
      id: activity.id,
      key: activity.key,
      number: activity.number,
      title: activity.title,
      steps: stepsByActivity.get(activity.id) ?? [],
    })),
    checklistItems: contents.checklistItems.map((item) => {
      const activity = item.activityId ? activityById.get(item.activityId) : undefined;
      return {
        id: item.id,
        key: item.key,
        position: item.position,
        text: item.text,
        activity: activity ? { id: activity.id, number: activity.number, title: activity.title } : null,
        requiresVerification: item.requiresVerification,
      };
    }),
    knowledgeCheck: {
      quizId: contents.quiz.id,
      questionCount: knowledgeCheck + bank,
      knowledgeCheckQuestions: knowledgeCheck,
      bankQuestions: bank,
      settings: toQuizSettings(contents.quiz.settings),
    },
    completion: { checklist: module.completionRule.checklist, knowledgeCheck: module.completionRule.knowledgeCheck },
    createdAt: module.createdAt.toISOString(),
  };
}
