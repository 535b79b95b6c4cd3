/**
 * Staff roles, from most to least powerful. Each role has every right of the roles below it:
 * an owner can do everything, an admin runs signals (and their updates) and reads stats and the
 * audit log, an analyst only reads stats.
 */
export const ROLES = ["owner", "admin", "analyst"] as const;

export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { owner: 3, admin: 2, analyst: 1 };

/** True when `role` (null: not staff) has the rights of `needed`. */
export function roleAllows(role: Role | null, needed: Role): boolean {
  return role !== null && RANK[role] >= RANK[needed];
}

/** The configured id lists of each role (ADMIN_IDS are owners). */
export interface RoleLists {
  adminIds: readonly number[];
  signalAdminIds: readonly number[];
  analystIds: readonly number[];
}

/** A resolver of a Telegram user's role: the highest role whose list names them, else null. */
export function createRoleLookup(lists: RoleLists): (userId: number) => Role | null {
  const roles = new Map<number, Role>();
  // Lowest first, so a user listed twice keeps the higher role.
  for (const id of lists.analystIds) roles.set(id, "analyst");
  for (const id of lists.signalAdminIds) roles.set(id, "admin");
  for (const id of lists.adminIds) roles.set(id, "owner");
  return (userId) => roles.get(userId) ?? null;
}

/** Everyone with a role, each once with their highest role. */
export function staffList(lists: RoleLists): Array<{ id: number; role: Role }> {
  const roleOf = createRoleLookup(lists);
  const ids = new Set([...lists.adminIds, ...lists.signalAdminIds, ...lists.analystIds]);
  return [...ids].map((id) => ({ id, role: roleOf(id)! }));
}
