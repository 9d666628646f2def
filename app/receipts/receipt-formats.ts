/**
 * The receipt formats' names, in a module without Node's crypto, so a page's
 * browser bundle can tell the formats apart (receipt.ts signs and checks).
 */
export const RECEIPT_FORMAT = "lull-acknowledgement-receipt/1";
export const DELETION_RECEIPT_FORMAT = "lull-deletion-receipt/1";
