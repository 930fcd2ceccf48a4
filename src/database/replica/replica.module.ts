import { Module } from '@nestjs/common';
import { MetricsModule } from '../../metrics/metrics.module';
import { ReportReads } from './report-reads.service';

@Module({
  imports: [MetricsModule],
  providers: [ReportReads],
  exports: [ReportReads],
})
export class ReplicaModule {}
