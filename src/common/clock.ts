import { Global, Injectable, Module } from '@nestjs/common';

/** The time, injected so tests can move it (deadlines, grace periods, waits). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
