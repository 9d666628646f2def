import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { Button, buttonClasses } from "#app/components/ui/button.tsx";
import { PeopleSearchSchema, searchParamsObject } from "#app/domain/admin-forms.ts";
import { ROLES, ROLE_LABELS } from "#app/domain/roles.ts";
import { listPeople } from "#app/models/user.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Users · Admin · Lull" }];

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

export default function UsersPage() {
  const { people, search, total, pageCount, adminId } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-3xl font-bold tracking-tight">Users</h1>
          <p className="mt-2 max-w-2xl text-ink-muted">
            Everyone with a Lull account. Open a person to change their role or manager, send a new
            set-password link, or deactivate them: that signs them out everywhere and revokes their
            devices at once.
          </p>
        </div>
        <div className="flex gap-2">
          <Link to="/admin/users/new" className={buttonClasses("primary")}>
            Add a person
          </Link>
          <Link to="/admin/users/import" className={buttonClasses("secondary")}>
            Import from CSV
          </Link>
        </div>
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

      <DataTable caption="People" columns={["Name", "Role", "Time zone", "Manager", "Status"]}>
        {people.map((person) => (
          <tr key={person.id}>
            <td className="px-4 py-2">
              <Link
                to={`/admin/users/${person.id}`}
                className="font-medium underline underline-offset-2"
              >
                {person.name}
              </Link>
              {person.id === adminId ? <span className="text-ink-muted"> (you)</span> : null}
              <p className="text-ink-muted">{person.email}</p>
            </td>
            <td className="px-4 py-2">{person.role}</td>
            <td className="px-4 py-2">{person.timezone}</td>
            <td className="px-4 py-2">{person.manager ?? "None"}</td>
            <td className="px-4 py-2">{person.active ? "Active" : "Deactivated"}</td>
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
