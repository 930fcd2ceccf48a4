import { QueryFailedError } from 'typeorm';
import { chooseReportSource, isReplicaFailure } from './report-source';

describe('chooseReportSource', () => {
  it('reads the replica while its lag is within the limit, and says how old its data may be (whole seconds, up)', () => {
    expect(chooseReportSource({ reachable: true, lagSeconds: 0 }, 30)).toEqual({ use: 'replica', dataAgeSeconds: 0 });
    expect(chooseReportSource({ reachable: true, lagSeconds: 0.2 }, 30)).toEqual({ use: 'replica', dataAgeSeconds: 1 });
    expect(chooseReportSource({ reachable: true, lagSeconds: 30 }, 30)).toEqual({ use: 'replica', dataAgeSeconds: 30 });
  });

  it('counts a lag a skewed clock makes negative as none', () => {
    expect(chooseReportSource({ reachable: true, lagSeconds: -0.4 }, 30)).toEqual({
      use: 'replica',
      dataAgeSeconds: 0,
    });
  });

  it('reads the primary when the replica lags past the limit, or its lag is unknown', () => {
    expect(chooseReportSource({ reachable: true, lagSeconds: 30.01 }, 30)).toEqual({ use: 'primary', reason: 'lag' });
    expect(chooseReportSource({ reachable: true, lagSeconds: null }, 30)).toEqual({ use: 'primary', reason: 'lag' });
  });

  it('reads the primary when the replica does not answer', () => {
    expect(chooseReportSource({ reachable: false }, 30)).toEqual({ use: 'primary', reason: 'unreachable' });
  });
});

const sqlError = (code: string, message = 'failed') =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));

describe('isReplicaFailure', () => {
  it('is the replica gone or refusing: socket errors, shutdowns, a pool that cannot connect', () => {
    expect(isReplicaFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isReplicaFailure(sqlError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isReplicaFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('is a statement cancelled by a conflict with recovery (40001 on a standby)', () => {
    expect(isReplicaFailure(sqlError('40001', 'canceling statement due to conflict with recovery'))).toBe(true);
  });

  it('is not a fault of the report itself, which the primary would fail the same way', () => {
    expect(isReplicaFailure(sqlError('42703', 'column "nope" does not exist'))).toBe(false);
    expect(isReplicaFailure(sqlError('57014', 'canceling statement due to statement timeout'))).toBe(false);
    expect(isReplicaFailure(new TypeError('x is undefined'))).toBe(false);
  });
});
