import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { SYSTEM_CALLER } from '../src/auth/access.types';
import { createTestApp, type TestApp } from './support/app';

describe('audit events (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('writes the thousands of events of one change (a regrade of a large cohort) with the change', async () => {
    // More rows than one INSERT can carry: 65,535 parameters at most, nine per event.
    const entries = Array.from({ length: 7_500 }, (_, index) => ({
      action: 'grade.regraded',
      targetType: 'attempt',
      targetId: `bulk-${index}`,
      after: { index },
      reason: 'answer key corrected',
    }));
    const caller = { ...SYSTEM_CALLER, requestId: 'bulk-audit' };
    await t.app.get(DataSource).transaction((manager) => t.app.get(AuditService).recordAll(manager, caller, entries));
    const [{ count, distinct }] = await t.app
      .get(DataSource)
      .query(
        "SELECT count(*)::int AS count, count(DISTINCT target_id)::int AS distinct FROM audit_events WHERE request_id = 'bulk-audit'",
      );
    expect({ count, distinct }).toEqual({ count: 7_500, distinct: 7_500 });
  });
});
