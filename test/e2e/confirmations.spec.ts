import type { Page } from "@playwright/test";
import { createEnrollmentCode, expect, expectAccessible, signIn, test } from "./fixtures.ts";

/** Enrolls a device for the signed-in worker through the agent API, as an agent would. */
async function enrollDevice(page: Page, name: string) {
  const code = await createEnrollmentCode(page);
  const res = await page.request.post("/api/agent/v1/enroll", {
    data: { code, deviceName: name, platform: "linux", agentVersion: "1.0.0" },
  });
  expect(res.status()).toBe(201);
}

test("revoking a device asks in a dialog: Escape and Cancel keep it, confirming revokes it", async ({
  page,
}) => {
  await signIn(page, "lucia.fernandez@lull.test");
  await enrollDevice(page, "Lab machine");
  await page.goto("/devices");
  const device = page.getByTestId("device-list").getByRole("listitem").filter({
    hasText: "Lab machine",
  });
  const revoke = device.getByRole("button", { name: "Revoke Lab machine" });

  await revoke.click();
  const dialog = page.getByRole("dialog", { name: "Revoke Lab machine?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("This cannot be undone");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectAccessible(page);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  await revoke.click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(device).not.toContainText("Revoked");

  await revoke.click();
  await dialog.getByRole("button", { name: "Revoke device" }).click();
  await expect(page.getByRole("status")).toContainText("Device revoked");
  await expect(device).toContainText("Revoked");
});

test("without JavaScript the question is a page step of its own", async ({ browser, clientIp }) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    extraHTTPHeaders: { "X-Forwarded-For": clientIp },
  });
  const page = await context.newPage();
  await signIn(page, "daniel.kim@lull.test");
  await enrollDevice(page, "Old desktop");
  await page.goto("/devices");
  await page.getByRole("button", { name: "Revoke Old desktop" }).click();
  const step = page.getByTestId("confirm-step");
  await expect(step).toContainText("Revoke Old desktop?");
  // The address's fragment brings the question into view; nothing is revoked yet.
  expect(new URL(page.url()).hash).toMatch(/^#confirm-revoke-device-/);
  await expect(step).toBeInViewport();
  await step.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByTestId("confirm-step")).toHaveCount(0);
  await expect(page.getByTestId("device-list")).not.toContainText("Revoked");

  await page.getByRole("button", { name: "Revoke Old desktop" }).click();
  await page.getByTestId("confirm-step").getByRole("button", { name: "Revoke device" }).click();
  await expect(page.getByRole("status")).toContainText("Device revoked");
  await expect(page.getByTestId("device-list")).toContainText("Revoked");
  await context.close();
});
