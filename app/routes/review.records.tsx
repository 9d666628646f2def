import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ExportList, useLiveWhile } from "#app/components/export-list.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, Field, TextareaField } from "#app/components/ui/field.tsx";
import { StaffExportSchema } from "#app/domain/records-export.ts";
import { STAFF_EXPORTS_PER_DAY } from "#app/domain/records-export.ts";
import { listExportsRequestedBy, requestExport } from "#app/models/record-export.server.ts";
import { findUserForSignIn } from "#app/models/user.server.ts";
import { PurposeField } from "#app/components/purpose-field.tsx";
import { PURPOSE_KEYS } from "#app/domain/purposes.ts";
import { getPurposeChoices, purposeForAccess } from "#app/models/purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { presentExport } from "#app/web/export-presenter.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { REVIEW_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "Export a worker's records · Review · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const now = new Date();
  const [rows, purposes] = await Promise.all([
    listExportsRequestedBy(staff.id),
    getPurposeChoices(now),
  ]);
  return { exports: rows.map((r) => presentExport(r, now, staff.timezone)), purposes };
}

export async function action({ request }: ActionFunctionArgs) {
  const staff = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const submission = parseWithZod(await readForm(request), { schema: StaffExportSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const worker = await findUserForSignIn(submission.value.email);
  if (!worker || worker.id === staff.id) {
    return data(
      {
        result: submission.reply({
          fieldErrors: {
            email: [
              worker
                ? "Export your own records from “Download my records”."
                : "Nobody has that email address.",
            ],
          },
        }),
      },
      { status: 400 },
    );
  }
  const now = new Date();
  // An export of someone's records is an access to their data: it names a purpose (ADR 0042).
  const purpose = await purposeForAccess(submission.value.purpose, now);
  if (!purpose.ok) return refusalReply(submission, purpose.refusal);
  const result = await requestExport({
    workerId: worker.id,
    requester: { id: staff.id },
    reason: submission.value.reason,
    purposeId: purpose.purpose.id,
    now,
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast("/review/records", {
    kind: "success",
    message: "Export queued. The worker sees it, and your reason, in their access log.",
  });
}

export default function StaffExportPage() {
  const { exports, purposes } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  useLiveWhile(exports.some((e) => e.status === "QUEUED" || e.status === "RUNNING"));
  const [form, fields] = useForm({
    id: "staff-export",
    lastResult: actionData?.result,
    constraint: getZodConstraint(StaffExportSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: StaffExportSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="max-w-3xl space-y-6">
      <SectionNav label="Review" sections={REVIEW_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Export a worker's records</h1>
        <p className="mt-2 text-ink-muted">
          For a request from a regulator or a court, or the worker's own request made to you. The
          archive is the same one the worker can make themself. The export, its purpose, your reason
          and each download are recorded and shown to the worker in their access log. You can ask
          for {STAFF_EXPORTS_PER_DAY} exports a day; they never use up the worker&apos;s own.
        </p>
      </div>
      <Card>
        <Form method="post" {...getFormProps(form)} className="space-y-4">
          <Field
            label="Worker's email"
            errors={fields.email.errors}
            inputProps={{ ...getInputProps(fields.email, { type: "email" }), id: fields.email.id }}
          />
          <PurposeField
            id={fields.purpose.id}
            choices={purposes}
            defaultValue={PURPOSE_KEYS.recordsRequest}
            errors={fields.purpose.errors}
          />
          <TextareaField
            label="Reason"
            errors={fields.reason.errors}
            errorId={fields.reason.errorId}
            textareaProps={{ ...getTextareaProps(fields.reason), id: fields.reason.id }}
          />
          <div role="alert">
            <ErrorList id={form.errorId} errors={form.errors} />
          </div>
          <Button type="submit" disabled={navigation.state === "submitting"}>
            Export their records
          </Button>
        </Form>
      </Card>
      {exports.length > 0 ? <ExportList exports={exports} showWorker /> : null}
    </div>
  );
}
