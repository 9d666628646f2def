/**
 * The receipt formats' names, apart from receipt.ts (which needs node:crypto),
 * so a page's browser bundle can tell the two kinds apart.
 */
export const RECEIPT_FORMAT = "lull-acknowledgement-receipt/1";
export const DELETION_RECEIPT_FORMAT = "lull-deletion-receipt/1";
