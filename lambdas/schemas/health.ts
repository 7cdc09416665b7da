import * as z from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok'), time: z.iso.datetime() }).meta({ id: 'Health' });
