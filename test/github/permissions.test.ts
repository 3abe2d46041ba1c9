import { describe, expect, it } from "vitest";
import { LEVELS, meetsPermission, toPermissionInfo } from "../../src/github/permissions.ts";
import { api, makeGateway, REPO_PATH } from "./helpers.ts";

const PERM = (u: string) => `${REPO_PATH}/collaborators/${u}/permission`;

describe("permission (live)", () => {
  it.each([
    [
      "admin",
      { permission: "admin", role_name: "admin" },
      { permission: "admin", roleName: "admin", level: "admin" },
    ],
    [
      "maintain via role_name",
      { permission: "write", role_name: "maintain" },
      { permission: "write", roleName: "maintain", level: "maintain" },
    ],
    [
      "write",
      { permission: "write", role_name: "write" },
      { permission: "write", roleName: "write", level: "write" },
    ],
    [
      "triage via role_name",
      { permission: "read", role_name: "triage" },
      { permission: "read", roleName: "triage", level: "triage" },
    ],
    [
      "custom role falls back to permission",
      { permission: "write", role_name: "security-reviewer" },
      { permission: "write", roleName: "security-reviewer", level: "write" },
    ],
    ["no role_name", { permission: "read" }, { permission: "read", roleName: "read", level: "read" }],
  ])("%s", async (_name, reply, expected) => {
    api()
      .get(PERM("bob"))
      .reply(200, { ...reply, user: { login: "bob" } });
    expect(await makeGateway().permission("bob")).toEqual(expected);
  });

  it("404 (no such user) means none", async () => {
    api().get(PERM("ghost")).reply(404, { message: "Not Found" });
    expect(await makeGateway().permission("ghost")).toEqual({
      permission: "none",
      roleName: "none",
      level: "none",
    });
  });

  it("asks GitHub every time: no caching", async () => {
    const gw = makeGateway();
    api().get(PERM("bob")).reply(200, { permission: "admin", role_name: "admin" });
    api().get(PERM("bob")).reply(200, { permission: "read", role_name: "read" });
    expect((await gw.permission("bob")).level).toBe("admin");
    expect((await gw.permission("bob")).level).toBe("read");
  });

  it("other failures propagate as typed errors", async () => {
    api().get(PERM("bob")).reply(503, { message: "Service Unavailable" });
    await expect(makeGateway().permission("bob")).rejects.toMatchObject({ status: 503, transient: true });
  });
});

describe("meetsPermission", () => {
  it("orders none < read < triage < write < maintain < admin", () => {
    for (const [i, level] of LEVELS.entries()) {
      for (const [j, minimum] of LEVELS.entries()) expect(meetsPermission(level, minimum)).toBe(i >= j);
    }
    expect(meetsPermission("maintain", "write")).toBe(true);
    expect(meetsPermission("triage", "write")).toBe(false);
  });

  it("maps legacy names", () => {
    expect(toPermissionInfo({ permission: "push", role_name: "push" })).toEqual({
      permission: "write",
      roleName: "push",
      level: "write",
    });
  });
});
