// End-to-end: a seconds-long run of `npm run bench`'s fan-out measurement and its report, against the
// shared runtime, so neither can rot between runs of the bench (the figures themselves are the bench's).
import { describe, expect, inject, it } from 'vitest';
import { credentialsFromSecret } from '#local/credentials.ts';
import { measureDataGrowth, placersNeeded, readersNeeded } from '../bench/data-growth.ts';
import { measureFanout } from '../bench/fanout.ts';
import { measureExport } from '../bench/export.ts';
import { tableSeeder } from '../bench/seeder.ts';
import { benchmarksMarkdown, emptyResults, type BenchResults } from '../bench/report.ts';
import { measureRouteCosts } from '../bench/route-costs.ts';
import { monthlyBill } from '../bench/money.ts';
import { BOOTSTRAP_ADMIN } from './bootstrap-admin.ts';
import { bootstrapAdmin, newAdmin, newUser, placeOrder, runtime } from './support.ts';

describe('npm run bench, in small', () => {
  it('measures fan-out to every listener of a room and reports it', async () => {
    const [owner, admin] = await Promise.all([newUser('bench-owner'), bootstrapAdmin()]);
    const { id: roomId } = await placeOrder(owner, 'Bench smoke');
    const rows = await measureFanout(
      { ...runtime, roomId, listenerTokens: [owner.accessToken], senderTokens: [owner.accessToken, admin.accessToken] },
      [2, 5],
      3,
    );
    expect(rows.map((row) => [row.listeners, row.messages, row.lost])).toEqual([
      [2, 3, 0],
      [5, 3, 0],
    ]);
    for (const row of rows) expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
    const results: BenchResults = {
      ...emptyResults(),
      startupMs: [1000],
      bundles: [{ fn: 'HttpHealth', bytes: 1024, importMs: 10 }],
      fanout: rows,
    };
    const report = benchmarksMarkdown(results);
    expect(report).toContain('| 5 | 3 |');
  });

  it('drives every route and action the DynamoDB section measures, and reports them', async () => {
    // The shared runtime meters nothing (the bench's own does): this keeps the driver and the report working.
    const { routes, sized } = await measureRouteCosts(runtime, [], BOOTSTRAP_ADMIN, async () => 1024, undefined, 1);
    expect(routes.map((row) => row.operation)).toContain('sendMessage (a room of two connections)');
    expect(routes.every((row) => row.requests === 0 && row.minimum > 0 && row.why.length > 10)).toBe(true);
    expect(sized).toHaveLength(3);
    const bill = monthlyBill(routes);
    expect(bill.lines.find((line) => line.service === 'Cognito')!.cost).toBe(0);
    const report = benchmarksMarkdown({ ...emptyResults(), dynamoDb: routes, sizedWrites: sized, bill });
    expect(report).toMatch(
      /A month of 10,000 users, 100,000 orders and 2,000,000 chat messages, at list prices in us-east-1: \*\*\$\d/,
    );
    expect(report).toContain('| GET /orders/{id} | 0 () | 2: the session check');
    expect(report).toContain('| 1024 bytes (S = 1) | 0 | 0 | 0 | ≤ 12 |');
  });

  it('measures requests on a small and a larger table side by side, and reports their ratios', async () => {
    // Both sides are the shared runtime here, with tables of a few dozen orders: the driver, not the figures.
    const sizes = { small: 45, large: 60, smallRoom: 3, largeRoom: 6, samples: 4, rounds: 2, deepPage: 2 };
    const target = async (label: string) => {
      const customer = await newUser(`${label}-customer`);
      const placers: string[] = [];
      for (let i = 0; i < placersNeeded(sizes.samples, sizes.rounds); i++)
        placers.push((await newUser(`${label}-placer`)).accessToken);
      const readers: string[] = [];
      for (let i = 0; i < readersNeeded(sizes.samples, sizes.rounds); i++)
        readers.push((await newAdmin(`${label}-reader`)).accessToken);
      return {
        httpUrl: runtime.httpUrl,
        seeder: await tableSeeder(
          runtime.dynamoDbEndpoint,
          'order-chat-local-main',
          credentialsFromSecret(inject('localAwsSecret')),
        ),
        customerId: customer.user.id,
        callers: async () => ({
          customer: customer.accessToken,
          admin: (await bootstrapAdmin()).accessToken,
          placers,
          readers,
        }),
      };
    };
    const rows = await measureDataGrowth(await target('growth-small'), await target('growth-large'), sizes);
    expect(rows.map((row) => row.operation)).toContain('GET /orders (page 2, all orders)');
    expect(rows).toHaveLength(7);
    for (const row of rows) {
      expect(row.small.p50, row.operation).toBeGreaterThan(0);
      expect(row.large.p99, row.operation).toBeGreaterThanOrEqual(row.large.p50);
      expect(Number.isFinite(row.ratioP99), row.operation).toBe(true);
    }
    // The export's driver, on a few dozen orders: every row, part after part.
    const exporter = await newUser('growth-exporter');
    const seeder = await tableSeeder(
      runtime.dynamoDbEndpoint,
      'order-chat-local-main',
      credentialsFromSecret(inject('localAwsSecret')),
    );
    const exported = await measureExport(
      runtime.httpUrl,
      (await bootstrapAdmin()).accessToken,
      async (count, ownerId) => {
        await seeder.orders(count, [ownerId]);
      },
      exporter.user.id,
      30,
    );
    expect(exported).toMatchObject({ orders: 30, rows: 30, parts: 1 });
    const report = benchmarksMarkdown({ ...emptyResults(), growth: rows, export: exported });
    expect(report).toContain('| GET /chat/rooms/{roomId} (latest 50 messages) |');
    expect(report).toContain('**CSV export** from the large runtime: 30 orders of one customer, 30 rows in 1 parts');
  });
});
