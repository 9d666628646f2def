import { expect, expectAccessible, signIn, test } from "./fixtures.ts";

/**
 * Issue 21, point 4 (ADR 0042): a worker objects to the use of their data for
 * AI training from My data; a reviewer opens the request naming a purpose and
 * accepts it; the worker reads the outcome and may lift it later.
 */
test("a worker objects to training use, a reviewer opens it naming a purpose and accepts, the worker sees the outcome", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const reviewerContext = await browser.newContext({
    extraHTTPHeaders: { "X-Forwarded-For": "198.19.21.4" },
  });
  try {
    await signIn(page, "ines.dubois@lull.test");
    await page.goto("/data");
    await page
      .getByRole("navigation", { name: "My data" })
      .getByRole("link", { name: "Your rights" })
      .click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your data rights");
    await expectAccessible(page);

    // A first try without a purpose names the field.
    await page.getByLabel(/Objection to a purpose/).check();
    await page
      .getByLabel("What is wrong, and what do you want?")
      .fill("I do not want my activity used to train AI models.");
    await page.getByRole("button", { name: "File the request" }).click();
    await expect(page.getByText("Choose the purpose you object to.")).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel(/Objection to a purpose/).check();
    await page.getByLabel("Purpose objected to (an objection)").selectOption("ai-training");
    await page
      .getByLabel("What is wrong, and what do you want?")
      .fill("I do not want my activity used to train AI models.");
    await page.getByRole("button", { name: "File the request" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Objection to a purpose");
    await expect(page.getByTestId("rights-status")).toContainText("Open");
    await expect(page.getByTestId("rights-clock")).toHaveText(/due in \d+ days/);
    const requestId = new URL(page.url()).pathname.split("/").at(-1)!;
    await expectAccessible(page);

    // The reviewer finds it in the queue; opening it asks for a purpose first.
    const reviewer = await reviewerContext.newPage();
    await signIn(reviewer, "reviewer@lull.test");
    await reviewer.goto("/review/rights");
    await expect(reviewer.getByRole("heading", { level: 1 })).toHaveText("Rights requests");
    await expect(reviewer.getByTestId("rights-counts")).toContainText("overdue");
    await expectAccessible(reviewer);
    await reviewer.locator(`a[href="/review/rights/${requestId}"]`).click();
    await expect(reviewer.getByTestId("purpose-gate")).toBeVisible();
    // The prohibited purposes are shown, and ruled out.
    await expect(
      reviewer.getByRole("option", { name: "Evaluating a worker's performance (prohibited)" }),
    ).toBeDisabled();
    await expectAccessible(reviewer);
    await reviewer.getByLabel("Purpose of this access").selectOption("rights-request");
    await reviewer.getByRole("button", { name: "Open" }).click();
    await expect(reviewer.getByTestId("access-purpose")).toHaveText(
      "Handling data-rights requests",
    );
    await expect(reviewer.getByRole("heading", { level: 1 })).toHaveText(
      "Inès Dubois: objection to a purpose",
    );
    await expectAccessible(reviewer);
    await reviewer
      .getByLabel(/The answer Inès Dubois reads/)
      .fill("Accepted: none of your data will be used to train AI models from now on.");
    await reviewer.getByRole("button", { name: "Accept and apply" }).click();
    await expect(reviewer.getByTestId("rights-status")).toContainText("Accepted");

    // The worker reads the outcome, and could lift the objection.
    await page.reload();
    await expect(page.getByTestId("rights-status")).toContainText("Accepted");
    await expect(page.getByTestId("rights-outcome")).toHaveText(
      "Accepted: none of your data will be used to train AI models from now on.",
    );
    await expect(page.getByRole("button", { name: "Lift my objection" })).toBeVisible();
    await expectAccessible(page);

    // The access log names the reviewer's purpose.
    await page.goto("/data/access");
    await expect(page.getByText("Opened a data-rights request").first()).toBeVisible();
    await expect(page.getByText("Handling data-rights requests").first()).toBeVisible();
  } finally {
    await reviewerContext.close();
  }
});
