/**
 * The discovery endpoints' documents (RFC 7644 §4): what Lull's SCIM service
 * supports, its resource types and the schemas of the attributes it keeps.
 */
import { MAX_PAGE_SIZE, SCIM } from "./protocol.ts";

type Attribute = {
  name: string;
  type: "string" | "boolean" | "complex" | "reference";
  multiValued?: boolean;
  required?: boolean;
  mutability?: "readOnly" | "readWrite" | "immutable";
  uniqueness?: "none" | "server";
  caseExact?: boolean;
  description: string;
  subAttributes?: Attribute[];
};

function attribute(a: Attribute): Record<string, unknown> {
  return {
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...a,
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attribute) } : {}),
  };
}

const USER_ATTRIBUTES: Attribute[] = [
  {
    name: "userName",
    type: "string",
    required: true,
    uniqueness: "server",
    description: "The person's work email; they sign in with it. Stored lower-cased.",
  },
  {
    name: "name",
    type: "complex",
    description: "formatted, else givenName and familyName, is the person's name in Lull.",
    subAttributes: [
      { name: "formatted", type: "string", description: "The full name." },
      { name: "givenName", type: "string", description: "Given name." },
      { name: "familyName", type: "string", description: "Family name." },
    ],
  },
  { name: "displayName", type: "string", description: "The name, when name is not sent." },
  { name: "active", type: "boolean", description: "false deactivates the account." },
  { name: "timezone", type: "string", description: "IANA time zone, e.g. Europe/Berlin." },
  {
    name: "emails",
    type: "complex",
    multiValued: true,
    mutability: "readOnly",
    description: "The userName, as the one work email.",
    subAttributes: [
      { name: "value", type: "string", description: "The email." },
      { name: "type", type: "string", description: "Always work." },
      { name: "primary", type: "boolean", description: "Always true." },
    ],
  },
  {
    name: "groups",
    type: "complex",
    multiValued: true,
    mutability: "readOnly",
    description: "The directory groups the person is in.",
    subAttributes: [
      { name: "value", type: "string", description: "The group's id." },
      { name: "display", type: "string", description: "The group's name." },
    ],
  },
];

const ENTERPRISE_ATTRIBUTES: Attribute[] = [
  {
    name: "manager",
    type: "complex",
    description: "The person's manager in Lull (value: a Lull user id).",
    subAttributes: [
      { name: "value", type: "string", caseExact: true, description: "The manager's id." },
      { name: "displayName", type: "string", mutability: "readOnly", description: "Their name." },
    ],
  },
];

const GROUP_ATTRIBUTES: Attribute[] = [
  {
    name: "displayName",
    type: "string",
    required: true,
    uniqueness: "server",
    description: "The group's name, matched (ignoring case) by the role mapping.",
  },
  {
    name: "members",
    type: "complex",
    multiValued: true,
    description: "The group's members (users only).",
    subAttributes: [
      { name: "value", type: "string", caseExact: true, description: "A Lull user id." },
      { name: "display", type: "string", mutability: "readOnly", description: "Their name." },
    ],
  },
];

function location(baseUrl: string, path: string) {
  return `${baseUrl}/scim/v2/${path}`;
}

export function schemaDocuments(baseUrl: string) {
  const schema = (id: string, name: string, description: string, attributes: Attribute[]) => ({
    schemas: [SCIM.schema],
    id,
    name,
    description,
    attributes: attributes.map(attribute),
    meta: { resourceType: "Schema", location: location(baseUrl, `Schemas/${id}`) },
  });
  return [
    schema(SCIM.user, "User", "A person with a Lull account.", USER_ATTRIBUTES),
    schema(SCIM.enterprise, "EnterpriseUser", "The manager.", ENTERPRISE_ATTRIBUTES),
    schema(SCIM.group, "Group", "A directory group (for roles).", GROUP_ATTRIBUTES),
  ];
}

export function resourceTypeDocuments(baseUrl: string) {
  return [
    {
      schemas: [SCIM.resourceType],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "A person with a Lull account.",
      schema: SCIM.user,
      schemaExtensions: [{ schema: SCIM.enterprise, required: false }],
      meta: { resourceType: "ResourceType", location: location(baseUrl, "ResourceTypes/User") },
    },
    {
      schemas: [SCIM.resourceType],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "A directory group; the Identity page maps group names to roles.",
      schema: SCIM.group,
      schemaExtensions: [],
      meta: { resourceType: "ResourceType", location: location(baseUrl, "ResourceTypes/Group") },
    },
  ];
}

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SCIM.serviceProviderConfig],
    documentationUri: `${baseUrl}/docs/scim`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "A SCIM token made on Lull's Identity page: Authorization: Bearer <token>.",
        primary: true,
      },
    ],
    meta: {
      resourceType: "ServiceProviderConfig",
      location: location(baseUrl, "ServiceProviderConfig"),
    },
  };
}
