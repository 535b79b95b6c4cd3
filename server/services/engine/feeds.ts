import { createRoleLookup, roleAllows } from "../../../core/roles.ts";
import type { Config } from "../../config/index.ts";

/**
 * Whose terminal prices the signal engine reads: staff (admins and owners) and the file-drop
 * terminal. A trader's token must not steer proposals with made-up prices.
 */
export function staffPriceFeeds(config: Config): (userId: number) => boolean {
  const roleOf = createRoleLookup(config);
  return (userId) => roleAllows(roleOf(userId), "admin") || userId === config.bridgeDirUserId;
}
