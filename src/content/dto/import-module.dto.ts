import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString } from 'class-validator';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from '../../common/errors/problem';
import { IsUtf8ByteLength } from '../../common/http/text-validators';
import type { AnswerKeyFormat } from '../import/incoming-module';
import { Optional } from '../../common/http/optional';

/** Each file of an import, in UTF-8 bytes. */
export const MAX_IMPORT_FILE_BYTES = 512 * 1024;
const ANSWER_KEY_FORMATS: AnswerKeyFormat[] = ['yaml', 'json'];
const ITEM_KINDS = ['module', 'quiz_settings', 'activity', 'step', 'checklist_item', 'question'] as const;

export class ImportModuleDto {
  @ApiProperty({
    description: 'The module file, Markdown (UTF-8), at most 512 KiB',
    example: '# Module 5: Monitoring, Logging, and Incident Response\n…',
  })
  @IsString()
  @IsUtf8ByteLength(1, MAX_IMPORT_FILE_BYTES, { message: 'markdown must be 1 byte to 512 KiB' })
  markdown: string;

  @ApiPropertyOptional({
    description:
      'The answer key (docs/answer-key.md), at most 512 KiB. Without one, the knowledge-check questions import as essays for an instructor to grade.',
  })
  @Optional()
  @IsString()
  @IsUtf8ByteLength(0, MAX_IMPORT_FILE_BYTES, { message: 'answerKey must be at most 512 KiB' })
  answerKey?: string;

  @ApiPropertyOptional({ enum: ANSWER_KEY_FORMATS, default: 'yaml' })
  @Optional()
  @IsIn(ANSWER_KEY_FORMATS)
  answerKeyFormat: AnswerKeyFormat = 'yaml';

  @ApiPropertyOptional({ default: false, description: 'Report what the import would change, writing nothing' })
  @Optional()
  @IsBoolean()
  dryRun: boolean = false;
}

export class ImportProblemDto {
  @ApiProperty({ enum: ['module', 'answer-key'], description: 'The file the problem is in' })
  source: 'module' | 'answer-key';

  @ApiProperty({ enum: ['error', 'warning'] })
  severity: 'error' | 'warning';

  @ApiProperty({ example: 'duplicate-activity-number' })
  code: string;

  @ApiProperty({ example: 'Activity 3 appears twice (first on line 310); give each one its own number.' })
  message: string;

  @ApiProperty({ type: Number, nullable: true, description: '1-based line in that file; null for the file as a whole' })
  line: number | null;

  @ApiPropertyOptional({ example: 'questions[3].correct', description: 'Answer key only: where in the file' })
  path?: string;
}

export class ImportItemDto {
  @ApiProperty({ enum: ITEM_KINDS })
  kind: (typeof ITEM_KINDS)[number];

  @ApiProperty({
    example: 'activity-3',
    description: 'The stable key (for the module and its quiz settings, the slug)',
  })
  key: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['definition'],
    description:
      'Changed items: the fields that differ. `definition` means a new question version; `reinstated` a retired item back.',
  })
  fields?: string[];
}

export class ImportChangesDto {
  @ApiProperty({ type: [ImportItemDto] })
  added: ImportItemDto[];

  @ApiProperty({ type: [ImportItemDto] })
  changed: ImportItemDto[];

  @ApiProperty({
    type: [ImportItemDto],
    description: 'No longer in the file: hidden, kept for the records that use them',
  })
  retired: ImportItemDto[];

  @ApiProperty({ description: 'How many items (the module and its quiz settings included) stay as they are' })
  unchanged: number;
}

export class ImportedModuleRefDto {
  @ApiProperty({ format: 'uuid', type: String, nullable: true, description: 'Null in a dry run of a new module' })
  id: string | null;

  @ApiProperty({ example: '05-monitoring-logging-and-incident-response' })
  slug: string;

  @ApiProperty({ example: 5 })
  number: number;

  @ApiProperty({ example: 'Monitoring, Logging, and Incident Response' })
  title: string;
}

export class ImportReportDto {
  @ApiProperty({ type: ImportedModuleRefDto })
  module: ImportedModuleRefDto;

  @ApiProperty({ enum: ['created', 'updated', 'unchanged'] })
  status: 'created' | 'updated' | 'unchanged';

  @ApiProperty({ description: 'True when nothing was written' })
  dryRun: boolean;

  @ApiProperty({ type: ImportChangesDto })
  changes: ImportChangesDto;

  @ApiProperty({
    type: [Number],
    example: [],
    description: 'Knowledge-check questions imported as essays (no answer key entry), for an instructor to grade',
  })
  ungradedKnowledgeCheck: number[];

  @ApiProperty({ type: [ImportProblemDto] })
  warnings: ImportProblemDto[];
}

export class ImportRejectedProblemDto extends ProblemDetails {
  @ApiProperty({ type: [ImportProblemDto], description: 'Every problem in both files, errors and warnings' })
  problems: ImportProblemDto[];
}

/** The 422 of an import, documented with its list of problems. */
export const ApiImportRejected = () =>
  applyDecorators(
    ApiExtraModels(ImportRejectedProblemDto),
    ApiResponse({
      status: 422,
      description: 'The module or answer key has errors (listed with their lines); nothing was written',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ImportRejectedProblemDto) } } },
    }),
  );
