import { useEffect, useRef, useState } from "react";
import { useRevalidator } from "@remix-run/react";

function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}`;
}

/**
 * Time left until `endsAtIso`, ticking every second. It reads the clock on
 * every tick (and when the tab wakes up), corrected by the server's clock,
 * so it is right after the tab sleeps. At zero it asks the server again:
 * the status is computed from time there, so it flips by itself.
 */
export function Countdown({
  endsAtIso,
  serverNowIso,
}: {
  endsAtIso: string;
  serverNowIso: string;
}) {
  const endsAt = Date.parse(endsAtIso);
  const initialRemaining = endsAt - Date.parse(serverNowIso);
  const [remaining, setRemaining] = useState(initialRemaining);
  const revalidator = useRevalidator();
  const revalidated = useRef(false);

  useEffect(() => {
    const skew = Date.parse(serverNowIso) - Date.now();
    revalidated.current = false;
    const tick = () => {
      const left = endsAt - (Date.now() + skew);
      setRemaining(left);
      if (left <= 0 && !revalidated.current) {
        revalidated.current = true;
        revalidator.revalidate();
      }
    };
    tick();
    const id = window.setInterval(tick, 1000);
    document.addEventListener("visibilitychange", tick);
    return () => {
      window.clearInterval(id);
      document.removeEventListener("visibilitychange", tick);
    };
    // revalidator is a new object each render; the effect only depends on the times.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [endsAt, serverNowIso]);

  return (
    <span
      role="timer"
      aria-label="Time left in this pause"
      className="font-mono tabular-nums"
      data-testid="countdown"
    >
      {formatRemaining(remaining)}
    </span>
  );
}
