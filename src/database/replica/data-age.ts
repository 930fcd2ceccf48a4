import { AsyncLocalStorage } from 'node:async_hooks';
import {
  applyDecorators,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { tap, type Observable } from 'rxjs';

interface DataAge {
  seconds?: number;
}

const current = new AsyncLocalStorage<DataAge>();

/** Says that the request's answer was read from the replica, this many seconds behind the primary at most. */
export function noteDataAge(seconds: number): void {
  const age = current.getStore();
  if (age) age.seconds = Math.max(age.seconds ?? 0, seconds);
}

/** OpenAPI description of the header, for the 200 of every route marked @ReadsReplica(). */
export const DATA_AGE_HEADER = {
  'X-Data-Age': {
    description:
      'Present when the answer was read from the read replica: how many seconds behind the primary it may be ' +
      '(its replay lag, rounded up; 0 when it has replayed everything). Absent when read from the primary.',
    schema: { type: 'integer', minimum: 0 },
  },
} as const;

@Injectable()
class DataAgeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const age: DataAge = {};
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Nest binds the handler's async scope when handle() is called, so it runs inside this store.
    return current
      .run(age, () => next.handle())
      .pipe(
        tap(() => {
          if (age.seconds !== undefined) void reply.header('X-Data-Age', String(age.seconds));
        }),
      );
  }
}

/** A route whose reads may come from the replica: its response says how old they are (X-Data-Age). */
export const ReadsReplica = () => applyDecorators(UseInterceptors(DataAgeInterceptor));
