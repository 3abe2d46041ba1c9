// Live permission checks. `author_association` describes a relationship (CONTRIBUTOR, MEMBER …), not
// what someone may do, so every trigger asks GitHub for the actor's effective permission instead.

import { z } from "zod";

export const LEVELS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type PermissionLevel = (typeof LEVELS)[number];
export type BasePermission = "admin" | "write" | "read" | "none";

export interface PermissionInfo {
  /** GitHub's coarse permission: maintain reports as write, triage as read. */
  permission: BasePermission;
  /** GitHub's `role_name`: a built-in role or a custom role's name. */
  roleName: string;
  /** The effective level, ordered none < read < triage < write < maintain < admin. */
  level: PermissionLevel;
}

export const NO_PERMISSION: PermissionInfo = { permission: "none", roleName: "none", level: "none" };

/** The part of `GET /repos/{o}/{r}/collaborators/{u}/permission` Steward reads. */
export const collaboratorPermissionSchema = z.object({
  permission: z.string(),
  role_name: z.string().optional().nullable(),
});

// Older responses and some tokens still use the legacy names.
const ROLE_ALIASES: Record<string, PermissionLevel> = {
  admin: "admin",
  maintain: "maintain",
  write: "write",
  push: "write",
  triage: "triage",
  read: "read",
  pull: "read",
  none: "none",
};

function basePermission(p: string): BasePermission {
  const level = ROLE_ALIASES[p.toLowerCase()];
  if (level === "admin") return "admin";
  if (level === "write" || level === "maintain") return "write";
  if (level === "read" || level === "triage") return "read";
  return "none";
}

/**
 * Effective level from GitHub's answer. `role_name` distinguishes triage and maintain; a custom role
 * (a name GitHub does not define) falls back to the coarse `permission` it inherits.
 */
export function toPermissionInfo(raw: { permission: string; role_name?: string | null }): PermissionInfo {
  const permission = basePermission(raw.permission);
  const roleName = raw.role_name ?? raw.permission;
  const level = ROLE_ALIASES[roleName.toLowerCase()] ?? permission;
  return { permission, roleName, level };
}

export function meetsPermission(level: PermissionLevel, minimum: PermissionLevel): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(minimum);
}
