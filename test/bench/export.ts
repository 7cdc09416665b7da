/**
 * A CSV export of 10,000 orders, as the web app fetches it: part after part by each part's
 * `Link: rel="next"`, timed whole and per part, every row counted. The orders are seeded into a
 * runtime that holds many others (the growth section's large one), all one customer's.
 */
export interface ExportMeasurement {
  orders: number;
  rows: number;
  parts: number;
  totalMs: number;
  slowestPartMs: number;
  largestPartBytes: number;
}

export async function measureExport(
  base: string,
  adminToken: string,
  seed: (count: number, ownerId: string) => Promise<void>,
  customerId: string,
  orders = 10_000,
): Promise<ExportMeasurement> {
  await seed(orders, customerId);
  const measurement: ExportMeasurement = {
    orders,
    rows: 0,
    parts: 0,
    totalMs: 0,
    slowestPartMs: 0,
    largestPartBytes: 0,
  };
  let next: string | undefined = `/orders/export?customerId=${customerId}`;
  const started = performance.now();
  while (next) {
    const partStarted = performance.now();
    const answer = await fetch(`${base}${next}`, { headers: { authorization: `Bearer ${adminToken}` } });
    const text = await answer.text();
    if (answer.status !== 200) throw new Error(`export part ${measurement.parts + 1} → ${answer.status} ${text}`);
    measurement.slowestPartMs = Math.max(measurement.slowestPartMs, performance.now() - partStarted);
    measurement.largestPartBytes = Math.max(measurement.largestPartBytes, Buffer.byteLength(text));
    measurement.parts++;
    // Rows end in CRLF; the first part's first line is the header.
    measurement.rows += text.split('\r\n').length - 1 - (measurement.parts === 1 ? 1 : 0);
    next = /<([^>]+)>;\s*rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
  }
  measurement.totalMs = performance.now() - started;
  return measurement;
}
