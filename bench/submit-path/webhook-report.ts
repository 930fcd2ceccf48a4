/** The webhooks phase's tables and verdicts (Markdown, as report.ts). */
import { SUBMIT_STEPS, summarise } from './load';
import { errorsOf, table, type Verdict } from './report';
import type { WebhookPhase, WebhookRun } from './webhooks';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '–');
const pct = (cores: number) => `${Math.round(cores * 100)} %`;
const rate = (run: WebhookRun) => run.submit.submits / (run.submit.wallMs / 1000);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Submits/s with the endpoint ÷ without, each side the mean of its runs. */
export function webhookRatio(phase: WebhookPhase): number {
  const of = (kind: WebhookRun['kind']) => mean(phase.runs.filter((run) => run.kind === kind).map(rate));
  return of('with') / of('without');
}

export function webhookTables(phase: WebhookPhase): string {
  const without = mean(phase.runs.filter((run) => run.kind === 'without').map(rate));
  const load = table(
    [
      'run',
      'endpoint',
      'submits/s',
      '× without (mean)',
      'any request p99 ms',
      'learner p50 / p99 ms',
      'errors',
      'events',
      'server CPU',
      'PostgreSQL CPU',
      'receiver CPU',
      'autocannon CPU',
      'other CPU',
      'event loop busy',
      'server + PostgreSQL CPU ms / submit',
    ],
    phase.runs.map((run, index) => {
      const { submit } = run;
      const all = summarise(SUBMIT_STEPS.flatMap((step) => submit.steps[step].latencies));
      const flows = summarise(submit.flows);
      const perSubmit = (cores: number) => ((cores * 1000) / rate(run)).toFixed(2);
      return [
        index + 1,
        run.kind,
        rate(run).toFixed(0),
        (rate(run) / without).toFixed(2),
        all.p99.toFixed(1),
        `${flows.p50.toFixed(1)} / ${flows.p99.toFixed(1)}`,
        errorsOf(submit, Object.values(submit.steps)),
        run.events,
        pct(submit.cpu.server),
        pct(submit.cpu.postgres),
        pct(submit.cpu.helpers),
        pct(submit.cpu.client),
        pct(submit.cpu.other),
        pct(submit.loop.eventLoopUtilization),
        `${perSubmit(submit.cpu.server)} + ${perSubmit(submit.cpu.postgres)}`,
      ];
    }),
  );
  const delivered = table(
    [
      'run',
      'queued: run / timed part',
      'received: run / timed part',
      'duplicates',
      'signature failures',
      'failed / still pending',
      'lag p50 / p95 / p99 / max ms',
      'backlog max (pending, once a second)',
      'pending when the load stopped',
      'drained after s',
    ],
    phase.runs.flatMap((run, index) => {
      const d = run.deliveries;
      if (!d) return [];
      return [
        [
          index + 1,
          `${d.queued} / ${d.queuedTimed}`,
          `${d.received} / ${d.receivedTimed}${d.earlier ? ` (${d.earlier} of events from before the run)` : ''}`,
          d.duplicates,
          d.signatureFailures,
          `${d.failed} / ${d.pending}`,
          `${ms(d.lag.p50)} / ${ms(d.lag.p95)} / ${ms(d.lag.p99)} / ${ms(d.lag.max)}`,
          d.backlog.length ? Math.max(...d.backlog) : '–',
          d.pendingAtStop,
          d.drainMs === undefined ? 'not drained' : (d.drainMs / 1000).toFixed(2),
        ],
      ];
    }),
  );
  const stages = table(
    [
      'run',
      'event type',
      'deliveries (timed part)',
      'occurred → claimed p50 / p99 ms',
      'claimed → marked delivered p50 / p99 ms',
      'occurred → received p50 / p99 ms',
    ],
    phase.runs.flatMap((run, index) =>
      (run.deliveries?.stages ?? []).map((stage) => [
        index + 1,
        stage.type,
        stage.count,
        stage.claimed.map(ms).join(' / '),
        stage.recorded.map(ms).join(' / '),
        stage.received.map(ms).join(' / '),
      ]),
    ),
  );
  return `${load}\n\n${delivered}\n\nWhere the lag goes:\n\n${stages}`;
}

export function webhookVerdicts(phase: WebhookPhase): Verdict[] {
  const ratio = webhookRatio(phase);
  const withRuns = phase.runs.filter((run) => run.deliveries);
  const lagP99 = Math.max(...withRuns.map((run) => run.deliveries!.lag.p99));
  const lost = withRuns.reduce((sum, run) => sum + run.deliveries!.missing, 0);
  const failures = withRuns.reduce((sum, run) => sum + run.deliveries!.signatureFailures + run.deliveries!.failed, 0);
  return [
    {
      target: 'submit with one webhook endpoint ≥ 90 % of without (means of the runs)',
      value: `${(ratio * 100).toFixed(1)} %`,
      met: ratio >= 0.9,
    },
    { target: 'delivery lag p99 < 2 s (worst run with the endpoint)', value: `${ms(lagP99)} ms`, met: lagP99 < 2000 },
    { target: 'every queued delivery received', value: `${lost} missing`, met: lost === 0 },
    { target: 'no signature failure, no delivery given up', value: String(failures), met: failures === 0 },
  ];
}
