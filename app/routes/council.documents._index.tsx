import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DataTable } from "#app/components/ui/table.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { listAllVersions } from "#app/models/policy-document.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Documents · Council · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const versions = await listAllVersions();
  return {
    versions: versions.map((v) => ({
      id: v.id,
      slug: v.slug,
      title: v.title,
      version: v.version,
      published: v.publishedAt ? formatDateTime(v.publishedAt, rep.timezone) : null,
      cosignedBy: v.cosignedBy?.name ?? null,
    })),
  };
}

export default function CouncilDocumentsPage() {
  const { versions } = useLoaderData<typeof loader>();
  const slugs = [...new Set(versions.map((v) => v.slug))];
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Documents</h1>
        <p className="mt-2 max-w-3xl text-ink-muted">
          Every version of what workers are told, published or still a draft. Open a draft to read
          it and co-sign it; a co-signed version names you on the notice and in every receipt of it.
        </p>
      </div>
      {slugs.length === 0 ? <p>No document has been written yet.</p> : null}
      {slugs.map((slug) => (
        <section key={slug} aria-labelledby={`doc-${slug}`} className="space-y-2">
          <h2 id={`doc-${slug}`} className="text-lg font-semibold">
            {slug}
          </h2>
          <DataTable
            caption={`Versions of ${slug}`}
            columns={["Version", "Title", "Status", "Co-signed by"]}
          >
            {versions
              .filter((v) => v.slug === slug)
              .map((v) => (
                <tr key={v.id} data-testid="council-document">
                  <td className="px-4 py-2">
                    <Link to={`/council/documents/${v.id}`}>Version {v.version}</Link>
                  </td>
                  <td className="px-4 py-2">{v.title}</td>
                  <td className="px-4 py-2">
                    {v.published ? `Published ${v.published}` : "Draft"}
                  </td>
                  <td className="px-4 py-2">{v.cosignedBy ?? "—"}</td>
                </tr>
              ))}
          </DataTable>
        </section>
      ))}
    </div>
  );
}
