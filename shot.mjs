import { chromium } from "@playwright/test";
const b = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const ctx = await b.newContext({
  viewport: { width: 1200, height: 900 },
  colorScheme: process.env.SCHEME || "light",
});
const p = await ctx.newPage();
const errors = [];
p.on("console", (m) => {
  if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
});
await p.goto("http://127.0.0.1:3111/login");
await p.screenshot({ path: "/tmp/s-login.png" });
await p.getByLabel("Work email").fill(process.env.EMAIL || "worker@lull.test");
await p.getByLabel("Password").fill("lull-demo-password");
await p.getByRole("button", { name: "Sign in" }).click();
await p.waitForURL((u) => !u.pathname.startsWith("/login"));
await p.waitForTimeout(500);
await p.screenshot({ path: "/tmp/s-home.png", fullPage: true });
await p.goto("http://127.0.0.1:3111" + (process.env.PAGE || "/pauses"));
await p.waitForTimeout(500);
await p.screenshot({ path: "/tmp/s-page.png", fullPage: true });
console.log("console:", errors.join("\n"));
await b.close();
