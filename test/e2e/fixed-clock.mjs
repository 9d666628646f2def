/**
 * Preloaded (`node --import`) into the seed and the server of the screenshot
 * tests: `Date` reads LULL_FIXED_NOW, always, so the seeded week, the chart,
 * "last contact" and every time on the page are the same on every run.
 * Timers are untouched (only the calendar is frozen). Test-only: nothing in
 * app/ knows about it.
 */
const fixed = Date.parse(process.env.LULL_FIXED_NOW ?? "");
if (Number.isNaN(fixed)) throw new Error("fixed-clock.mjs needs LULL_FIXED_NOW (an ISO time)");
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(fixed);
    else super(...args);
  }
  static now() {
    return fixed;
  }
}
globalThis.Date = FixedDate;
