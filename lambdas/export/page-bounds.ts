/**
 * How far one page of a data export goes (lambdas/export/data-export.ts): it stops taking parts
 * once past EXPORT_PAGE_BYTES — a part is at most 1 MB, so a page stays well under Lambda's 6 MB
 * response — or after EXPORT_PAGE_STEPS parts (each one or two reads), so its time is bounded too.
 */
export const EXPORT_PAGE_BYTES = 3 * 1024 * 1024;
export const EXPORT_PAGE_STEPS = 12;
