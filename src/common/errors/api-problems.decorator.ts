import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem';

const problemContent = (model: Type<ProblemDetails>) => ({
  [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(model) } },
});

/**
 * Documents the error shape every route shares: any 4xx or 5xx answer is
 * RFC 9457 problem details. Routes add their specific statuses on top.
 */
export const ApiProblems = () =>
  applyDecorators(
    ApiExtraModels(ProblemDetails),
    ApiResponse({
      status: '4XX',
      description: 'A client error, as problem details',
      content: problemContent(ProblemDetails),
    }),
    ApiResponse({
      status: '5XX',
      description: 'A server error, as problem details',
      content: problemContent(ProblemDetails),
    }),
  );

/**
 * One specific error status, documented with the problem shape, or with a
 * problem model that names the extension members it carries.
 */
export const ApiProblem = (status: number, description: string, model: Type<ProblemDetails> = ProblemDetails) =>
  applyDecorators(ApiExtraModels(model), ApiResponse({ status, description, content: problemContent(model) }));
