import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { privateAppMatcher } from "../app/agent-protocol/private-apps.ts";
import type { AgentEvent, ForgetWindow, Window } from "../app/agent-protocol/v1.ts";
import {
  filterPrivacy,
  forgetAt,
  heldByServer,
  isForgotten,
  isCollecting,
  mayCollect,
  mayCollectType,
  nextTransition,
  privacyCheck,
  typeStoppedAt,
  windowAt,
} from "./collection.ts";

const T0 = Date.parse("2026-11-27T09:00:00Z");
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN);
const window = (start: number, end: number, kind: Window["kind"] = "pause"): Window => ({
  kind,
  startsAt: at(start).toISOString(),
  endsAt: at(end).toISOString(),
  scope: "all",
});

describe("collection windows", () => {
  const pause = [window(30, 60)];

  test("collecting before a window, up to the millisecond before it starts", () => {
    expect(isCollecting(pause, at(0))).toBe(true);
    expect(isCollecting(pause, new Date(at(30).getTime() - 1))).toBe(true);
  });

  test("stops exactly at startsAt and stays stopped through the window", () => {
    expect(isCollecting(pause, at(30))).toBe(false);
    expect(isCollecting(pause, new Date(at(60).getTime() - 1))).toBe(false);
  });

  test("resumes exactly at endsAt", () => {
    expect(isCollecting(pause, at(60))).toBe(true);
  });

  test("the next transition is the start while collecting and the end while paused", () => {
    expect(nextTransition(pause, at(0))).toEqual(at(30));
    expect(nextTransition(pause, at(45))).toEqual(at(60));
    expect(nextTransition(pause, at(60))).toBeNull();
  });

  test("touching and overlapping windows pause as one: resume at the end of the run", () => {
    const windows = [window(10, 20), window(20, 40, "exemption"), window(35, 50), window(70, 80)];
    expect(nextTransition(windows, at(15))).toEqual(at(50));
    expect(windowAt(windows, at(20))?.kind).toBe("exemption");
    expect(nextTransition(windows, at(50))).toEqual(at(70));
  });

  test("order of the list does not matter; empty or inverted windows are ignored", () => {
    const windows = [window(70, 80), window(5, 5), window(40, 30), window(10, 20)];
    expect(isCollecting(windows, at(5))).toBe(true);
    expect(isCollecting(windows, at(35))).toBe(true);
    expect(nextTransition(windows, at(0))).toEqual(at(10));
  });

  test("no windows: always collecting, no transition", () => {
    expect(isCollecting([], at(0))).toBe(true);
    expect(nextTransition([], at(0))).toBeNull();
  });

  test("a server verdict of not collecting that no window explains holds collection off", () => {
    const state = { collecting: false, serverTime: at(0).toISOString(), windows: pause };
    expect(heldByServer(state)).toBe(true);
    expect(mayCollect(state, at(90))).toBe(false);
  });

  test("a server verdict of collecting inside a window does not override the window", () => {
    const state = { collecting: true, serverTime: at(40).toISOString(), windows: pause };
    expect(heldByServer(state)).toBe(false);
    expect(mayCollect(state, at(40))).toBe(false);
    expect(mayCollect(state, at(60))).toBe(true);
  });

  const windowsArb = fc.array(
    fc.record({
      start: fc.integer({ min: -200, max: 2000 }),
      length: fc.integer({ min: 1, max: 300 }),
      kind: fc.constantFrom<Window["kind"]>("pause", "exemption"),
    }),
    { maxLength: 8 },
  );
  const toWindows = (list: { start: number; length: number; kind: Window["kind"] }[]) =>
    list.map((w) => window(w.start, w.start + w.length, w.kind));
  const insideAny = (windows: Window[], t: number) =>
    windows.some((w) => Date.parse(w.startsAt) <= t && t < Date.parse(w.endsAt));

  test("property: collecting exactly when no window covers the instant", () => {
    fc.assert(
      fc.property(windowsArb, fc.integer({ min: -300 * MIN, max: 2400 * MIN }), (list, offset) => {
        const windows = toWindows(list);
        expect(isCollecting(windows, new Date(T0 + offset))).toBe(!insideAny(windows, T0 + offset));
      }),
    );
  });

  test("property: nothing changes before the next transition, and the verdict flips at it", () => {
    fc.assert(
      fc.property(
        windowsArb,
        fc.integer({ min: -300, max: 2400 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 10 }),
        (list, startMinute, fractions) => {
          const windows = toWindows(list);
          const now = at(startMinute);
          const verdict = isCollecting(windows, now);
          const transition = nextTransition(windows, now);
          if (transition === null) {
            // Nothing ahead: collecting, and no window starts later.
            expect(verdict).toBe(true);
            expect(windows.every((w) => Date.parse(w.startsAt) <= now.getTime())).toBe(true);
            return;
          }
          expect(transition.getTime()).toBeGreaterThan(now.getTime());
          const span = transition.getTime() - now.getTime();
          for (const fraction of fractions) {
            const t = new Date(now.getTime() + Math.floor(fraction * span));
            expect(isCollecting(windows, t)).toBe(verdict);
          }
          expect(isCollecting(windows, new Date(transition.getTime() - 1))).toBe(verdict);
          expect(isCollecting(windows, transition)).toBe(!verdict);
        },
      ),
    );
  });

  test("property: an offline agent following its timers stops and resumes at every boundary", () => {
    fc.assert(
      fc.property(windowsArb, (list) => {
        const windows = toWindows(list);
        // Simulate the agent offline from T0-300 min: it only wakes at each nextTransition.
        let now = at(-300);
        let collecting = isCollecting(windows, now);
        const seen: { at: number; collecting: boolean }[] = [];
        for (let step = 0; step < 100; step += 1) {
          const next = nextTransition(windows, now);
          if (!next) break;
          now = next;
          const verdict = isCollecting(windows, now);
          expect(verdict).toBe(!collecting);
          collecting = verdict;
          seen.push({ at: now.getTime(), collecting });
        }
        expect(collecting).toBe(true);
        // Every transition is at a window edge, with paused ones at a start and resumed at an end.
        for (const change of seen) {
          const edges = change.collecting
            ? windows.map((w) => Date.parse(w.endsAt))
            : windows.map((w) => Date.parse(w.startsAt));
          expect(edges).toContain(change.at);
        }
        // And between transitions no instant inside a window was judged collecting.
        for (const w of windows) {
          expect(isCollecting(windows, new Date(Date.parse(w.startsAt)))).toBe(false);
        }
      }),
    );
  });
});

describe("windows scoped to some event types (narrower exemptions)", () => {
  const keystrokesOff: Window = { ...window(0, 60, "exemption"), scope: ["keystroke"] };
  const state = (windows: Window[]) => ({
    collecting: true,
    serverTime: at(0).toISOString(),
    windows,
  });

  test("do not stop the agent, only the types they name, only while they last", () => {
    expect(isCollecting([keystrokesOff], at(10))).toBe(true);
    expect(mayCollectType(state([keystrokesOff]), "keystroke", at(10))).toBe(false);
    expect(mayCollectType(state([keystrokesOff]), "click", at(10))).toBe(true);
    expect(mayCollectType(state([keystrokesOff]), "keystroke", at(60))).toBe(true);
    expect(typeStoppedAt([keystrokesOff], "keystroke", at(-1))).toBe(false);
  });

  test("an all-collection window still stops every type", () => {
    const windows = [keystrokesOff, window(20, 30)];
    expect(mayCollectType(state(windows), "click", at(25))).toBe(false);
    expect(nextTransition(windows, at(10))).toEqual(at(20));
  });
});

describe("privacy rules: forget windows and private applications (ADR 0041)", () => {
  const forget = (start: number, end: number): ForgetWindow => ({
    startsAt: at(start).toISOString(),
    endsAt: at(end).toISOString(),
  });
  const event = (minutes: number, app = "Terminal"): AgentEvent => ({
    type: "keystroke",
    at: at(minutes).toISOString(),
    app,
    data: {},
  });

  test("a forget window covers [startsAt, endsAt): its start, not its end", () => {
    const forgets = [forget(10, 25)];
    expect(isForgotten(forgets, new Date(at(10).getTime() - 1))).toBe(false);
    expect(isForgotten(forgets, at(10))).toBe(true);
    expect(isForgotten(forgets, new Date(at(25).getTime() - 1))).toBe(true);
    expect(isForgotten(forgets, at(25))).toBe(false);
    expect(forgetAt([forget(0, 5), ...forgets], at(12))).toEqual(forgets[0]);
    expect(isForgotten([], at(0))).toBe(false);
  });

  test("private applications follow the shared matcher: case-insensitive, * for any run", () => {
    const check = privacyCheck({ forgets: [], privateApps: ["1Password", "*bank*"] });
    expect(check(event(0, "1PASSWORD"))).toBe("private_app");
    expect(check(event(0, "My Bank Online"))).toBe("private_app");
    expect(check(event(0, "1Password 8"))).toBe(null);
    expect(check(event(0, "Terminal"))).toBe(null);
  });

  test("inside a forget window an event is forgotten, whatever its application", () => {
    const check = privacyCheck({ forgets: [forget(0, 10)], privateApps: ["Slack"] });
    expect(check(event(5, "Slack"))).toBe("forgotten");
    expect(check(event(15, "Slack"))).toBe("private_app");
    expect(check(event(15, "Firefox"))).toBe(null);
  });

  test("filterPrivacy keeps the others in order and says why each one went", () => {
    const events = [event(0), event(5, "Slack"), event(12), event(20, "slack"), event(30)];
    const filtered = filterPrivacy(events, { forgets: [forget(10, 15)], privateApps: ["Slack"] });
    expect(filtered.kept).toEqual([events[0], events[4]]);
    expect(filtered.forgotten).toEqual([events[2]]);
    expect(filtered.privateApp).toEqual([events[1], events[3]]);
  });

  test("unreadable or empty forget windows cover nothing", () => {
    const rules = {
      forgets: [forget(10, 10), { startsAt: "not a time", endsAt: at(20).toISOString() }],
      privateApps: [],
    };
    expect(filterPrivacy([event(10), event(15)], rules).kept).toHaveLength(2);
  });

  test("removes exactly the events inside a forget window or of a private app, order kept (property)", () => {
    const minutes = fc.integer({ min: -120, max: 120 });
    const apps = fc.constantFrom("Slack", "slack ", "Firefox", "My Bank", "Terminal", "Bankruptcy");
    const forgets = fc.array(
      fc.tuple(minutes, fc.integer({ min: 0, max: 60 })).map(([start, length]) => ({
        startsAt: at(start).toISOString(),
        endsAt: at(start + length).toISOString(),
      })),
      { maxLength: 4 },
    );
    const patterns = fc.array(fc.constantFrom("Slack", "*bank*", "Term*", "firefox"), {
      maxLength: 3,
    });
    const events = fc.array(
      fc.tuple(fc.integer({ min: -150 * MIN, max: 150 * MIN }), apps).map(([ms, app]) => ({
        type: "click" as const,
        at: new Date(T0 + ms).toISOString(),
        app,
        data: {},
      })),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(forgets, patterns, events, (forgetList, privateApps, list) => {
        const { kept, forgotten, privateApp } = filterPrivacy(list, {
          forgets: forgetList,
          privateApps,
        });
        // A model written from the definitions, not from the module.
        const inForget = (e: AgentEvent) =>
          forgetList.some(
            (f) =>
              Date.parse(f.startsAt) <= Date.parse(e.at) && Date.parse(e.at) < Date.parse(f.endsAt),
          );
        const isPrivate = privateAppMatcher(privateApps);
        expect(kept).toEqual(list.filter((e) => !inForget(e) && !isPrivate(e.app)));
        expect(forgotten).toEqual(list.filter((e) => inForget(e)));
        expect(privateApp).toEqual(list.filter((e) => !inForget(e) && isPrivate(e.app)));
        expect(kept.length + forgotten.length + privateApp.length).toBe(list.length);
      }),
    );
  });
});
