import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { listAllVersions } from "#app/models/policy-document.server.ts";
import { countActivePeople } from "#app/models/user.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Documents · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const [versions, people] = await Promise.all([listAllVersions(), countActivePeople()]);
  return {
    people,
    versions: versions.map((v) => ({
      id: v.id,
      slug: v.slug,
      title: v.title,
      version: v.version,
      requiresAcknowledgement: v.requiresAcknowledgement,
      published: v.publishedAt ? formatDateTime(v.publishedAt, admin.timezone) : null,
      publishedBy: v.publishedBy?.name ?? null,
      cosignedBy: v.cosignedBy?.name ?? null,
      signed: v._count.acknowledgements,
    })),
  };
}

export default function DocumentsPage() {
  const { versions, people } = useLoaderData<typeof loader>();
  const slugs = [...new Set(versions.map((v) => v.slug))];
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-3xl font-bold tracking-tight">Policy documents</h1>
          <p className="mt-2 max-w-2xl text-ink-muted">
            Draft, preview and publish what workers are told about monitoring. A published version
            never changes: to change it, publish a new version, which every worker is then asked to
            acknowledge. {people} active people.
          </p>
        </div>
        <Link to="/admin/documents/new" className={buttonClasses("primary")}>
          New document
        </Link>
      </div>
      {slugs.map((slug) => (
        <section key={slug} aria-labelledby={`doc-${slug}`} className="space-y-2">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h2 id={`doc-${slug}`} className="text-lg font-semibold">
              {slug}
            </h2>
            <Link to={`/admin/documents/new?from=${slug}`} className={buttonClasses("secondary")}>
              New version of {slug}
            </Link>
          </div>
          <DataTable
            caption={`Versions of ${slug}`}
            columns={["Version", "Title", "Status", "Acknowledged by"]}
          >
            {versions
              .filter((v) => v.slug === slug)
              .map((v) => (
                <tr key={v.id}>
                  <td className="px-4 py-2">
                    <Link to={`/admin/documents/${v.id}`}>Version {v.version}</Link>
                  </td>
                  <td className="px-4 py-2">{v.title}</td>
                  <td className="px-4 py-2">
                    {v.published ? `Published ${v.published} by ${v.publishedBy}` : "Draft"}
                    {v.cosignedBy ? `; co-signed by ${v.cosignedBy}` : ""}
                  </td>
                  <td className="px-4 py-2">
                    {v.published
                      ? v.requiresAcknowledgement
                        ? `${v.signed} of ${people}`
                        : `${v.signed} (not required)`
                      : "—"}
                  </td>
                </tr>
              ))}
          </DataTable>
        </section>
      ))}
    </div>
  );
}
