/** The receipt formats' names (ADR 0041), without the crypto: screens in the browser bundle compare them. */
export const RECEIPT_FORMAT = "lull-acknowledgement-receipt/1";
export const DELETION_RECEIPT_FORMAT = "lull-deletion-receipt/1";
export const DATASET_MANIFEST_FORMAT = "lull-dataset-manifest/1";
