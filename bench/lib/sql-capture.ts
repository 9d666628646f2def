/**
 * The SQL the app sends through Prisma, recorded at the driver adapter (so
 * with the arguments exactly as better-sqlite3 binds them), for replaying
 * on better-sqlite3 as a same-run baseline. Recording costs nothing while
 * `sink.queries` is unset, so the same client can be timed afterwards.
 */
import type { SqlDriverAdapter, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";
import type { SqliteAdapterFactory } from "#app/utils/sqlite-adapter.server.ts";

export type CapturedQuery = { sql: string; args: unknown[] };

export type CaptureSink = { queries?: CapturedQuery[] };

/** An argument as @prisma/adapter-better-sqlite3 binds it (its mapArg, ISO 8601 times). */
function bindArg(arg: unknown, scalarType: string | undefined): unknown {
  if (arg === null) return null;
  if (typeof arg === "string" && scalarType === "int") return Number.parseInt(arg);
  if (typeof arg === "string" && (scalarType === "float" || scalarType === "decimal"))
    return Number.parseFloat(arg);
  if (typeof arg === "string" && scalarType === "bigint") return BigInt(arg);
  if (typeof arg === "boolean") return arg ? 1 : 0;
  let value = arg;
  if (typeof value === "string" && scalarType === "datetime") value = new Date(value);
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "string" && scalarType === "bytes") return Buffer.from(value, "base64");
  if (Array.isArray(value) && scalarType === "bytes") return Buffer.from(value as number[]);
  return value;
}

function record(sink: CaptureSink, query: SqlQuery): void {
  sink.queries?.push({
    sql: query.sql,
    args: query.args.map((arg, i) => bindArg(arg, query.argTypes[i]?.scalarType)),
  });
}

/** `target` with its queryRaw (and executeRaw) recorded into `sink`. */
function recording<T extends SqlDriverAdapter | Transaction>(target: T, sink: CaptureSink): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop === "queryRaw" || prop === "executeRaw") {
        return (query: SqlQuery) => {
          record(sink, query);
          return prop === "queryRaw" ? obj.queryRaw(query) : obj.executeRaw(query);
        };
      }
      if (prop === "startTransaction" && "startTransaction" in obj) {
        return async (...args: Parameters<SqlDriverAdapter["startTransaction"]>) =>
          recording(await (obj as SqlDriverAdapter).startTransaction(...args), sink);
      }
      const value: unknown = Reflect.get(obj, prop, receiver);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(obj)
        : value;
    },
  });
}

/** The app's adapter factory, recording every statement its connection runs into `sink`. */
export function capturingAdapter(
  factory: SqliteAdapterFactory,
  sink: CaptureSink,
): SqliteAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connection: () => factory.connection(),
    noTransactionOpen: () => factory.noTransactionOpen(),
    connect: async () => recording(await factory.connect(), sink),
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
