import { ScrollArea } from "#app/components/ui/scroll-area.tsx";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { BackLink } from "#app/components/back-link.tsx";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { csvRow } from "#app/domain/csv.ts";
import {
  IMPORT_COLUMNS,
  ImportFormSchema,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  PREVIEW_FIRST_ROWS,
  PREVIEW_PROBLEM_ROWS,
  previewOf,
  type ImportPreview,
} from "#app/domain/user-import.ts";
import { applyImport, previewImport } from "#app/models/user-import.server.ts";
import { pacer } from "#app/utils/pace.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { setupLinkBase } from "#app/commands/setup-link.server.ts";
import { BODY_LIMITS } from "#app/domain/body-limits.ts";
import { tryReadForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Import people · Users · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["ADMIN"]);
  return null;
}

/** People listed with their links after an import; the rest are in the links file. */
const DONE_SHOWN = 100;

const FILE_TOO_LARGE = "The file must be at most 1 MB.";

type ImportedRow = { name: string; email: string; url: string; expires: string };

type ActionResult =
  | { step: "error"; errors: string[] }
  | { step: "preview"; csv: string; check: ImportPreview }
  | {
      step: "done";
      total: number;
      people: ImportedRow[];
      /** Everyone's link as one CSV text (a 10,000-row answer stays one string). */
      linksCsv: string;
    };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  // A multipart upload (the file) or the dry run's text posted back (urlencoded).
  const read = await tryReadForm(request, {
    limit: BODY_LIMITS.importForm,
    tooLargeMessage: FILE_TOO_LARGE,
  });
  if (!read.ok) {
    return data<ActionResult>({ step: "error", errors: [read.message] }, read.status);
  }
  const form = read.form;
  const file = form.get("file");
  if (file instanceof File && file.size > MAX_IMPORT_BYTES) {
    return data<ActionResult>({ step: "error", errors: [FILE_TOO_LARGE] }, 413);
  }
  const csv =
    file instanceof File && file.size > 0 ? await file.text() : (form.get("csv") ?? undefined);
  const parsed = ImportFormSchema.safeParse({ intent: form.get("intent"), csv });
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => i.message);
    return data<ActionResult>({ step: "error", errors }, 400);
  }
  if (parsed.data.intent === "preview") {
    const check = await previewImport(parsed.data.csv);
    return data<ActionResult>(
      { step: "preview", csv: parsed.data.csv, check: previewOf(check) },
      check.ok ? 200 : 400,
    );
  }
  const now = new Date();
  const outcome = await applyImport({
    actorId: admin.id,
    csv: parsed.data.csv,
    linkBase: setupLinkBase(request),
    now,
  });
  if (!outcome.ok) {
    return data<ActionResult>(
      { step: "preview", csv: parsed.data.csv, check: previewOf(outcome.check) },
      400,
    );
  }
  // Every link of one import expires at the same moment: formatted once, not 10,000 times.
  const expires = new Map<number, string>();
  const people = outcome.value.people.map((person): ImportedRow => {
    const at = person.link.expiresAt.getTime();
    if (!expires.has(at)) expires.set(at, formatDateTime(person.link.expiresAt, admin.timezone));
    return { name: person.name, email: person.email, url: person.url, expires: expires.get(at)! };
  });
  // 10,000 rows of CSV: written with turns for other requests in between.
  const takeTurn = pacer();
  let linksCsv = csvRow(["name", "email", "link", "valid until"]);
  for (const p of people) {
    linksCsv += csvRow([p.name, p.email, p.url, p.expires]);
    await takeTurn();
  }
  return data<ActionResult>({
    step: "done",
    total: people.length,
    people: people.slice(0, DONE_SHOWN),
    linksCsv,
  });
}

export default function ImportPage() {
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  return (
    <div className="space-y-6">
      <div>
        <BackLink to="/admin/users">Users</BackLink>
        <h1 className="text-3xl font-bold tracking-tight">Import people from a CSV file</h1>
        <p className="mt-2 max-w-3xl text-ink-muted">
          First a dry run: every row is checked and every problem listed, and nothing is written.
          Then the import adds everyone at once, or nobody if anything is wrong. Each new person is
          mailed a one-time set-password link.
        </p>
      </div>

      {result?.step === "done" ? (
        <Done {...result} />
      ) : (
        <>
          <Card title="1. Choose the file" titleId="file-heading">
            <p className="text-sm text-ink-muted">
              The first line names the columns: <code>{IMPORT_COLUMNS.join(", ")}</code>. Name and
              email are required; an empty role means Worker and an empty time zone means UTC. A
              manager must already have an account or be in the same file. Up to{" "}
              {MAX_IMPORT_ROWS.toLocaleString("en-GB")} people and 1 MB per file.
            </p>
            <ScrollArea label="Example file" className="mt-3 rounded-lg bg-surface-sunken">
              <pre className="p-3 text-sm">
                {`name,email,role,manager email,timezone\nAda Lovelace,ada@example.com,Worker,marcus.webb@lull.test,Europe/London`}
              </pre>
            </ScrollArea>
            <Form
              method="post"
              encType="multipart/form-data"
              className="mt-4 flex flex-wrap items-end gap-3"
            >
              <div>
                <label htmlFor="import-file" className="block text-sm font-medium">
                  CSV file
                </label>
                <input
                  id="import-file"
                  name="file"
                  type="file"
                  accept=".csv,text/csv"
                  required
                  className="mt-1 block text-sm"
                />
              </div>
              <button
                type="submit"
                name="intent"
                value="preview"
                className={buttonClasses("primary")}
                disabled={busy}
              >
                Check the file (dry run)
              </button>
            </Form>
          </Card>
          {result?.step === "error" ? (
            <div role="alert" className="rounded-card border border-danger bg-danger-surface p-4">
              <ErrorList errors={result.errors} />
            </div>
          ) : null}
          {result?.step === "preview" ? (
            <Preview csv={result.csv} check={result.check} busy={busy} />
          ) : null}
        </>
      )}
    </div>
  );
}

function Preview({ csv, check, busy }: { csv: string; check: ImportPreview; busy: boolean }) {
  const bad = check.withProblems;
  const hidden = check.total - check.rows.length;
  return (
    <Card title="2. Check the preview" titleId="preview-heading">
      <div role="status" data-testid="import-summary">
        {check.fileErrors.length > 0 ? (
          <ErrorList errors={check.fileErrors} />
        ) : check.ok ? (
          <p>
            All {count(check.total)} {check.total === 1 ? "row is" : "rows are"} fine. Nothing has
            been written yet.
          </p>
        ) : (
          <p className="text-danger">
            {count(bad)} of {count(check.total)} rows have problems. Nothing has been written; fix
            the file and check it again.
          </p>
        )}
      </div>
      {check.rows.length > 0 ? (
        <div className="mt-4">
          {hidden > 0 ? (
            <p className="mb-2 text-sm text-ink-muted" data-testid="import-rows-shown">
              Showing {count(check.rows.length)} of {count(check.total)} rows: the first{" "}
              {count(PREVIEW_FIRST_ROWS)}
              {bad > 0
                ? ` and ${bad > PREVIEW_PROBLEM_ROWS ? `the first ${count(PREVIEW_PROBLEM_ROWS)} rows` : "every row"} with a problem`
                : ""}
              .
            </p>
          ) : null}
          <DataTable
            caption="Rows of the file"
            columns={["Line", "Name", "Email", "Role", "Manager email", "Time zone", "Problems"]}
          >
            {check.rows.map((row) => (
              <tr key={row.line} data-testid={`import-row-${row.line}`}>
                <td className="px-4 py-2 tabular-nums">{row.line}</td>
                <td className="px-4 py-2">{row.raw.name}</td>
                <td className="px-4 py-2">{row.raw.email}</td>
                <td className="px-4 py-2">{row.raw.role || "Worker"}</td>
                <td className="px-4 py-2">{row.raw.managerEmail || "None"}</td>
                <td className="px-4 py-2">{row.raw.timezone || "UTC"}</td>
                <td className="px-4 py-2">
                  {row.errors.length === 0 ? (
                    <span className="text-success">OK</span>
                  ) : (
                    <ErrorList errors={row.errors} />
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        </div>
      ) : null}
      {check.ok ? (
        <Form method="post" className="mt-4">
          <input type="hidden" name="csv" value={csv} />
          <button
            type="submit"
            name="intent"
            value="apply"
            className={buttonClasses("primary")}
            disabled={busy}
          >
            Import {count(check.total)} {check.total === 1 ? "person" : "people"}
          </button>
        </Form>
      ) : null}
    </Card>
  );
}

function Done({
  total,
  people,
  linksCsv,
}: {
  total: number;
  people: ImportedRow[];
  linksCsv: string;
}) {
  return (
    <Card
      title={`Imported ${count(total)} ${total === 1 ? "person" : "people"}`}
      titleId="done-heading"
    >
      <p className="mb-3" role="status">
        Each was mailed a one-time link to set their password. The links are shown here once, in
        case you need to hand one over yourself.
      </p>
      <p className="mb-3">
        <a
          href={`data:text/csv;charset=utf-8,${encodeURIComponent(linksCsv)}`}
          download="lull-imported-people-links.csv"
          className="underline underline-offset-2"
        >
          Download all {count(total)} links (CSV)
        </a>
        {total > people.length ? ` — the first ${count(people.length)} are listed below.` : null}
      </p>
      <DataTable
        caption="Imported people and their links"
        columns={["Name", "Email", "Link", "Valid until"]}
      >
        {people.map((p) => (
          <tr key={p.email}>
            <td className="px-4 py-2">{p.name}</td>
            <td className="px-4 py-2">{p.email}</td>
            <td className="break-all px-4 py-2 font-mono text-xs">{p.url}</td>
            <td className="whitespace-nowrap px-4 py-2">{p.expires}</td>
          </tr>
        ))}
      </DataTable>
      <p className="mt-4">
        <Link to="/admin/users" className="underline underline-offset-2">
          Back to users
        </Link>
      </p>
    </Card>
  );
}

function count(n: number): string {
  return n.toLocaleString("en-GB");
}
