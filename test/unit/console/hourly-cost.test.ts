import { describe, expect, it } from 'vitest';
import { formatHourly, hourlyEstimate, PRICES_AS_OF } from '../../../shared/pricing/hourly-cost.js';

describe('hourly cost estimate (dated price table)', () => {
  it('control plane plus nodes: 2 × t3.medium in us-east-1', () => {
    expect(hourlyEstimate({ region: 'us-east-1', instanceType: 't3.medium', nodeCount: 2 })).toEqual({
      controlPlane: 0.1,
      nodes: 0.0832,
      nodePrice: 0.0416,
      total: 0.1832,
      support: 'standard',
      asOf: PRICES_AS_OF,
    });
    expect(formatHourly(0.1832)).toBe('$0.1832 per hour (about $134 per month)');
  });

  it('extended support costs $0.60 per cluster hour', () => {
    expect(
      hourlyEstimate({ region: 'us-west-2', instanceType: 'm5.large', nodeCount: 1, versionStatus: 'EXTENDED_SUPPORT' })
        .total,
    ).toBe(0.696);
  });

  it('no node price in the table: the control plane only, no total (never a guessed figure)', () => {
    const e = hourlyEstimate({ region: 'ap-south-1', instanceType: 't3.medium', nodeCount: 2 });
    expect(e).toMatchObject({ controlPlane: 0.1 });
    expect(e.total).toBeUndefined();
    expect(e.nodes).toBeUndefined();
  });
});
