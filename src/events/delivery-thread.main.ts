import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { AppModule } from '../app.module';
import { createLogger, PinoLoggerService } from '../common/logging/logger';
import type { ThreadData } from './delivery-thread';

/** The delivery thread's script (see delivery-thread.ts): the application's modules without HTTP. */
async function runThread(data: ThreadData): Promise<void> {
  const logger = createLogger(data.config.log.level).child({ thread: 'delivery' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(data.config), {
    logger: new PinoLoggerService(logger),
  });
  parentPort?.on('message', (message: { stop?: boolean }) => {
    if (!message.stop) return;
    app
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'the delivery thread did not close cleanly'))
      .finally(() => parentPort?.close());
  });
}

if (!isMainThread && (workerData as Partial<ThreadData> | undefined)?.deliveryThread) {
  runThread(workerData as ThreadData).catch((error: unknown) => {
    // The parent sees the thread exit with an error and starts another.
    console.error('the delivery thread failed to start', error);
    process.exit(1);
  });
}
