/**
 * The /scim/v2 endpoints (ADR 0040, docs/scim.md), one function per method;
 * the route modules only call them. Every request presents a live SCIM
 * token first.
 */
import { SCIM, listResponse, project, projectionOmits } from "#app/domain/scim/protocol.ts";
import {
  resourceTypeDocuments,
  schemaDocuments,
  serviceProviderConfig,
} from "#app/domain/scim/discovery.ts";
import {
  accountChangesFromPatch,
  accountValuesFromBody,
  parsePatchBody,
  userLocation,
  userResource,
} from "#app/domain/scim/user-mapping.ts";
import {
  groupChangesFromPatch,
  groupResource,
  groupValuesFromBody,
} from "#app/domain/scim/group-mapping.ts";
import { groupLocation } from "#app/domain/scim/user-mapping.ts";
import { accept } from "#app/domain/refusal.ts";
import {
  changeScimUser,
  createScimUser,
  deleteScimUser,
  getScimUser,
  listScimUsers,
} from "#app/models/scim-users.server.ts";
import {
  changeScimGroup,
  createScimGroup,
  deleteScimGroup,
  getScimGroup,
  listScimGroups,
} from "#app/models/scim-groups.server.ts";
import {
  readListQuery,
  readProjection,
  readScimJson,
  requireScimToken,
  scimBaseUrl,
  scimError,
  scimHandler,
  scimJson,
  scimMethodNotAllowed,
  scimRefused,
} from "./scim-http.server.ts";

type Args = { request: Request; params: Record<string, string | undefined> };

const noUser = () => scimError(404, "No user has that id.");
const noGroup = () => scimError(404, "No group has that id.");

export function usersLoader({ request }: Args) {
  return scimHandler(async () => {
    await requireScimToken(request, new Date());
    const query = readListQuery(request, "User");
    const { total, accounts } = await listScimUsers(query.condition, query.page);
    const base = scimBaseUrl(request);
    return scimJson(
      listResponse(
        accounts.map((a) => project(userResource(a, base), query.projection)),
        total,
        query.page,
      ),
    );
  });
}

export function usersAction({ request }: Args) {
  return scimHandler(async () => {
    const now = new Date();
    const caller = await requireScimToken(request, now);
    if (request.method !== "POST") return scimMethodNotAllowed("GET, POST");
    const values = accountValuesFromBody(await readScimJson(request), "create");
    if (!values.ok) return scimRefused(values);
    const created = await createScimUser(caller, values.value, now);
    if (!created.ok) return scimRefused(created);
    const base = scimBaseUrl(request);
    return scimJson(userResource(created.value, base), {
      status: 201,
      headers: { Location: userLocation(base, created.value.id) },
    });
  });
}

export function userLoader({ request, params }: Args) {
  return scimHandler(async () => {
    await requireScimToken(request, new Date());
    const account = await getScimUser(params.id ?? "");
    if (!account) return noUser();
    return scimJson(project(userResource(account, scimBaseUrl(request)), readProjection(request)));
  });
}

export function userAction({ request, params }: Args) {
  return scimHandler(async () => {
    const now = new Date();
    const caller = await requireScimToken(request, now);
    const id = params.id ?? "";
    const base = scimBaseUrl(request);
    if (request.method === "DELETE") {
      const deleted = await deleteScimUser(caller, id, now);
      if (!deleted.ok) return scimRefused(deleted);
      return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
    }
    if (request.method !== "PUT" && request.method !== "PATCH") {
      return scimMethodNotAllowed("GET, PUT, PATCH, DELETE");
    }
    const body = await readScimJson(request);
    let changed;
    if (request.method === "PUT") {
      const values = accountValuesFromBody(body, "replace");
      if (!values.ok) return scimRefused(values);
      changed = await changeScimUser(caller, id, () => accept(values.value), now);
    } else {
      const operations = parsePatchBody(body);
      if (!operations.ok) return scimRefused(operations);
      changed = await changeScimUser(
        caller,
        id,
        (account) => accountChangesFromPatch(account, base, operations.value),
        now,
      );
    }
    if (!changed.ok) return scimRefused(changed);
    return scimJson(userResource(changed.value, base));
  });
}

export function groupsLoader({ request }: Args) {
  return scimHandler(async () => {
    await requireScimToken(request, new Date());
    const query = readListQuery(request, "Group");
    const withMembers = !projectionOmits(query.projection, "members");
    const { total, groups } = await listScimGroups(query.condition, query.page, withMembers);
    const base = scimBaseUrl(request);
    return scimJson(
      listResponse(
        groups.map((g) => project(groupResource(g, base), query.projection)),
        total,
        query.page,
      ),
    );
  });
}

export function groupsAction({ request }: Args) {
  return scimHandler(async () => {
    const now = new Date();
    const caller = await requireScimToken(request, now);
    if (request.method !== "POST") return scimMethodNotAllowed("GET, POST");
    const values = groupValuesFromBody(await readScimJson(request), "create");
    if (!values.ok) return scimRefused(values);
    const created = await createScimGroup(caller, values.value, now);
    if (!created.ok) return scimRefused(created);
    const base = scimBaseUrl(request);
    return scimJson(groupResource(created.value, base), {
      status: 201,
      headers: { Location: groupLocation(base, created.value.id) },
    });
  });
}

export function groupLoader({ request, params }: Args) {
  return scimHandler(async () => {
    await requireScimToken(request, new Date());
    const projection = readProjection(request);
    const group = await getScimGroup(params.id ?? "", !projectionOmits(projection, "members"));
    if (!group) return noGroup();
    return scimJson(project(groupResource(group, scimBaseUrl(request)), projection));
  });
}

export function groupAction({ request, params }: Args) {
  return scimHandler(async () => {
    const now = new Date();
    const caller = await requireScimToken(request, now);
    const id = params.id ?? "";
    const base = scimBaseUrl(request);
    if (request.method === "DELETE") {
      const deleted = await deleteScimGroup(caller, id, now);
      if (!deleted.ok) return scimRefused(deleted);
      return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
    }
    if (request.method !== "PUT" && request.method !== "PATCH") {
      return scimMethodNotAllowed("GET, PUT, PATCH, DELETE");
    }
    const body = await readScimJson(request);
    let changed;
    if (request.method === "PUT") {
      const values = groupValuesFromBody(body, "replace");
      if (!values.ok) return scimRefused(values);
      changed = await changeScimGroup(caller, id, "replace", () => accept(values.value), now);
    } else {
      const operations = parsePatchBody(body);
      if (!operations.ok) return scimRefused(operations);
      changed = await changeScimGroup(
        caller,
        id,
        "patch",
        (group) => groupChangesFromPatch(group, operations.value),
        now,
      );
    }
    if (!changed.ok) return scimRefused(changed);
    return scimJson(groupResource(changed.value, base));
  });
}

/** GET-only discovery endpoints; one document, or a list of them (by id). */
export function discoveryLoader(
  which: "ServiceProviderConfig" | "ResourceTypes" | "Schemas",
  { request, params }: Args,
) {
  return scimHandler(async () => {
    await requireScimToken(request, new Date());
    const base = scimBaseUrl(request);
    if (which === "ServiceProviderConfig") return scimJson(serviceProviderConfig(base));
    const documents: { id: string }[] =
      which === "ResourceTypes" ? resourceTypeDocuments(base) : schemaDocuments(base);
    if (params.id === undefined) {
      return scimJson(
        listResponse(documents, documents.length, { startIndex: 1, count: documents.length }),
      );
    }
    const found = documents.find((d) => d.id === params.id);
    if (!found) return scimError(404, `There is no ${which.slice(0, -1)} ${params.id}.`);
    return scimJson(found);
  });
}

export function readOnlyAction({ request }: Args) {
  return scimHandler(async () => {
    await requireScimToken(request, new Date());
    return scimMethodNotAllowed("GET");
  });
}

/** Anything else under /scim/v2: a SCIM 404 (Bulk, /Me and .search are not offered). */
export function unknownEndpoint({ request }: Args) {
  return scimHandler(async () => {
    await requireScimToken(request, new Date());
    return scimError(
      404,
      `Lull's SCIM service has no such endpoint. It offers Users, Groups, ${["ServiceProviderConfig", "ResourceTypes", "Schemas"].join(", ")} (${SCIM.user}).`,
    );
  });
}
