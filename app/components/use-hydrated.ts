import { useEffect, useState } from "react";

/**
 * False on the server and in the first render in the browser, true once React
 * has hydrated: for enhancements that must not change what the server sent
 * (a control disabled only when JavaScript can enable it again).
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
