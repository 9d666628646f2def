/** What the HTTP server (server.ts) hands every loader and action. */
export type LullLoadContext = {
  /** This response's Content-Security-Policy nonce. */
  cspNonce: string;
  /** The client's address as the server sees it (honours TRUST_PROXY). */
  clientIp: string;
};

declare module "@remix-run/node" {
  // Declaration merging: Remix's AppLoadContext gains our fields.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends LullLoadContext {}
}
