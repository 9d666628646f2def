import type { Role } from "#app/domain/roles.ts";

/**
 * The people directory's search (ADR 0032): one implementation per provider
 * (people-sqlite.server.ts, people-postgres.server.ts); parsing and shaping
 * stay in user.server.ts. A search matches names and emails containing the
 * text, its LIKE wildcards taken literally (app/utils/sql-like.ts), ignoring
 * case.
 */
export type PeopleFilter = { query: string; role: Role | null };

export interface PeopleStore {
  /**
   * How many people match, and one page of them by name then id, each with
   * their manager's name as `managerName`: rows as the database returns them,
   * read together in one transaction.
   */
  searchPeople(
    filter: PeopleFilter,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; rows: unknown[] }>;
}
