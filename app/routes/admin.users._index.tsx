import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useLoaderData, useLocation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { Button, buttonClasses } from "#app/components/ui/button.tsx";
import {
  AccountStatusSchema,
  PeopleSearchSchema,
  searchParamsObject,
} from "#app/domain/admin-forms.ts";
import { ROLES, ROLE_LABELS } from "#app/domain/roles.ts";
import { listPeople, setUserActive } from "#app/models/user.server.ts";
import { requireRole } from "#app/utils/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";

export const meta: MetaFunction = () => [{ title: "People · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const search = PeopleSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const result = await listPeople({ query: search.q, role: search.role, page: search.page });
  return {
    adminId: admin.id,
    search,
    total: result.total,
    pageCount: result.pageCount,
    people: result.people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      role: ROLE_LABELS[p.role],
      timezone: p.timezone,
      manager: p.manager?.name ?? null,
      active: p.deactivatedAt === null,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const submission = parseWithZod(await request.formData(), { schema: AccountStatusSchema });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400 });
  }
  const { intent, userId } = submission.value;
  if (userId === admin.id) {
    return data(submission.reply({ formErrors: ["You cannot deactivate your own account."] }), {
      status: 400,
    });
  }
  const changed = await setUserActive({
    actorId: admin.id,
    userId,
    active: intent === "reactivate",
    now: new Date(),
  });
  const back = new URL(request.url);
  if (!changed) {
    return redirectWithToast(back.pathname + back.search, {
      kind: "error",
      message: "Nothing changed: that account does not exist or is already in that state.",
    });
  }
  return redirectWithToast(back.pathname + back.search, {
    kind: "success",
    message:
      intent === "deactivate"
        ? "Account deactivated. Its sessions have ended and it can no longer sign in."
        : "Account reactivated. The person can sign in again.",
  });
}

export default function PeoplePage() {
  const { people, search, total, pageCount, adminId } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">People</h1>
        <p className="mt-2 text-ink-muted">
          Everyone with a Lull account. Deactivating an account signs it out everywhere at once.
        </p>
      </div>

      <Form method="get" className="flex flex-wrap items-end gap-3" role="search">
        <div>
          <label htmlFor="people-q" className="block text-sm font-medium">
            Name or email
          </label>
          <input
            id="people-q"
            name="q"
            type="search"
            defaultValue={search.q}
            className="mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2"
          />
        </div>
        <div>
          <label htmlFor="people-role" className="block text-sm font-medium">
            Role
          </label>
          <select
            id="people-role"
            name="role"
            defaultValue={search.role ?? ""}
            className="mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2"
          >
            <option value="">Any role</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </Form>

      <p className="text-sm text-ink-muted" aria-live="polite">
        {total} {total === 1 ? "person" : "people"}
      </p>

      <DataTable
        caption="People"
        columns={[
          "Name",
          "Role",
          "Time zone",
          "Manager",
          "Status",
          <span key="a" className="sr-only">
            Actions
          </span>,
        ]}
      >
        {people.map((person) => (
          <tr key={person.id}>
            <td className="px-4 py-2">
              <p className="font-medium">{person.name}</p>
              <p className="text-ink-muted">{person.email}</p>
            </td>
            <td className="px-4 py-2">{person.role}</td>
            <td className="px-4 py-2">{person.timezone}</td>
            <td className="px-4 py-2">{person.manager ?? "None"}</td>
            <td className="px-4 py-2">{person.active ? "Active" : "Deactivated"}</td>
            <td className="px-4 py-2 text-right">
              {person.id === adminId ? (
                <span className="text-ink-muted">You</span>
              ) : (
                <Form method="post" action={location.pathname + location.search}>
                  <input type="hidden" name="userId" value={person.id} />
                  <button
                    type="submit"
                    name="intent"
                    value={person.active ? "deactivate" : "reactivate"}
                    className={buttonClasses(person.active ? "secondary" : "primary", "py-1")}
                    aria-label={`${person.active ? "Deactivate" : "Reactivate"} ${person.name}`}
                  >
                    {person.active ? "Deactivate" : "Reactivate"}
                  </button>
                </Form>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <Pagination
        page={search.page}
        pageCount={pageCount}
        search={location.search}
        label="People pages"
      />
    </div>
  );
}
