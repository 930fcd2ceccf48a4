import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull } from 'typeorm';
import { type Caller, hasScope, type Principal } from '../auth/access.types';
import { isUuid } from '../auth/user-ref';
import { Forbidden, ResourceNotFound } from '../common/errors/domain-error';
import type { Page, PageQueryDto } from '../common/http/pagination';
import type { ImportModuleDto } from './dto/import-module.dto';
import { type ModuleDetailDto, type ModuleSummaryDto, toModuleDetail, toModuleSummary } from './dto/module.dto';
import { type QuizDto, type QuizQueryDto, toQuiz, toQuizQuestion } from './dto/quiz.dto';
import { Activity } from './entities/activity.entity';
import { ActivityStep } from './entities/activity-step.entity';
import { ChecklistItem } from './entities/checklist-item.entity';
import { CourseModule } from './entities/course-module.entity';
import { Question } from './entities/question.entity';
import { QuestionVersion } from './entities/question-version.entity';
import { Quiz } from './entities/quiz.entity';
import type { ImportReport } from './import/import-report';
import { ModuleImportService } from './import/module-import.service';
import { decodeModuleCursor, encodeModuleCursor } from './module-cursor';

/** Keys, correctness and explanations are for those who teach or author (invariant 4). */
function mayReadAnswers(principal: Principal): boolean {
  if (principal.kind === 'client') return hasScope(principal, 'content:write');
  return principal.roles.includes('admin') || principal.roles.includes('instructor');
}

/** Modules as learners and integrations read them; retired items are left out. */
@Injectable()
export class ModulesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly importer: ModuleImportService,
  ) {}

  import(caller: Caller, dto: ImportModuleDto): Promise<ImportReport> {
    const answerKey = dto.answerKey === undefined ? undefined : { text: dto.answerKey, format: dto.answerKeyFormat };
    return this.importer.importModule(caller, { markdown: dto.markdown, answerKey }, { dryRun: dto.dryRun });
  }

  async list(query: PageQueryDto): Promise<Page<ModuleSummaryDto>> {
    const after = decodeModuleCursor(query.cursor);
    const builder = this.dataSource
      .getRepository(CourseModule)
      .createQueryBuilder('m')
      .orderBy('m.number', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .take(query.limit + 1);
    if (after) builder.where('(m.number, m.id) > (:number, :id)', after);
    const rows = await builder.getMany();
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(toModuleSummary),
      nextCursor: rows.length > query.limit && last ? encodeModuleCursor(last) : null,
    };
  }

  async get(ref: string): Promise<ModuleDetailDto> {
    const module = await this.findModule(ref);
    const moduleId = module.id;
    const live = { moduleId, retiredAt: IsNull() };
    const manager = this.dataSource.manager;
    const activities = await manager.find(Activity, { where: live, order: { position: 'ASC' } });
    const steps = await manager.find(ActivityStep, { where: live, order: { number: 'ASC' } });
    const checklistItems = await manager.find(ChecklistItem, { where: live, order: { position: 'ASC' } });
    const quiz = await this.quizOf(moduleId);
    const counts: { origin: string; count: number }[] = await manager.query(
      `SELECT origin, count(*)::int AS count FROM questions WHERE quiz_id = $1 AND retired_at IS NULL GROUP BY origin`,
      [quiz.id],
    );
    const countOf = (origin: string) => counts.find((row) => row.origin === origin)?.count ?? 0;
    return toModuleDetail(module, {
      activities,
      steps,
      checklistItems,
      quiz,
      questionCounts: { knowledgeCheck: countOf('knowledge_check'), bank: countOf('bank') },
    });
  }

  async quiz(caller: Caller, ref: string, query: QuizQueryDto): Promise<QuizDto> {
    const withAnswers = query.include === 'answers';
    if (withAnswers && !mayReadAnswers(caller.principal)) {
      throw new Forbidden('Only admins, instructors and clients with content:write may see the answers');
    }
    const module = await this.findModule(ref);
    const quiz = await this.quizOf(module.id);
    const manager = this.dataSource.manager;
    const questions = await manager.find(Question, {
      where: { quizId: quiz.id, retiredAt: IsNull() },
      order: { position: 'ASC' },
    });
    const versions = questions.length
      ? await manager.find(QuestionVersion, { where: { id: In(questions.map((q) => q.currentVersionId)) } })
      : [];
    const versionById = new Map(versions.map((version) => [version.id, version]));
    return toQuiz(
      quiz,
      questions.map((question) => {
        const version = versionById.get(question.currentVersionId);
        if (!version) throw new Error(`Question ${question.id} has no current version`);
        return toQuizQuestion(question, version, withAnswers);
      }),
    );
  }

  /** A module by slug or id; 404 when there is none. */
  private async findModule(ref: string): Promise<CourseModule> {
    const repository = this.dataSource.getRepository(CourseModule);
    const module = await repository.findOne({ where: isUuid(ref) ? { id: ref.toLowerCase() } : { slug: ref } });
    if (!module) throw new ResourceNotFound('No such module');
    return module;
  }

  private async quizOf(moduleId: string): Promise<Quiz> {
    const quiz = await this.dataSource.getRepository(Quiz).findOne({ where: { moduleId } });
    // Every import writes the module and its quiz in one transaction.
    if (!quiz) throw new Error(`Module ${moduleId} has no quiz`);
    return quiz;
  }
}
