import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem';

const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetails) } } };

/**
 * Documents the error shape every route shares: any 4xx or 5xx answer is
 * RFC 9457 problem details. Routes add their specific statuses on top.
 */
export const ApiProblems = () =>
  applyDecorators(
    ApiExtraModels(ProblemDetails),
    ApiResponse({ status: '4XX', description: 'A client error, as problem details', content: problemContent }),
    ApiResponse({ status: '5XX', description: 'A server error, as problem details', content: problemContent }),
  );

/** One specific error status, documented with the problem shape. */
export const ApiProblem = (status: number, description: string) =>
  ApiResponse({ status, description, content: problemContent });
