/**
 * Synthetic activity: plausible keystroke, click, scroll and app-focus events
 * standing in for a real agent's operating-system hooks. It only makes
 * events; whether one may be made at all is the caller's question
 * (collection.ts).
 */
import type { AgentEvent } from "../app/agent-protocol/v1.ts";

export const SAMPLE_APPS = [
  "Visual Studio Code",
  "Firefox",
  "Slack",
  "Terminal",
  "Thunderbird",
  "LibreOffice Calc",
] as const;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length) % items.length] as T;
}

function between(min: number, max: number, random: () => number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Returns a function making one event at a given time; the focused app changes now and then. */
export function createActivityGenerator(random: () => number = Math.random) {
  let app: string = pick(SAMPLE_APPS, random);
  return function nextEvent(at: Date): AgentEvent {
    const roll = random();
    if (roll < 0.05) {
      app = pick(SAMPLE_APPS, random);
      return { type: "app_focus", at: at.toISOString(), app, data: {} };
    }
    if (roll < 0.6) {
      return {
        type: "keystroke",
        at: at.toISOString(),
        app,
        data: { keyCount: between(1, 20, random) },
      };
    }
    if (roll < 0.85) {
      return {
        type: "click",
        at: at.toISOString(),
        app,
        data: { button: pick(["left", "left", "left", "right"], random) },
      };
    }
    return {
      type: "scroll",
      at: at.toISOString(),
      app,
      data: { deltaY: between(-10, 10, random) * 40 },
    };
  };
}
