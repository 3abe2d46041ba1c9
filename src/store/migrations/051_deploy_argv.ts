import type { Migration } from "../types.ts";

// A `deploy` proposal binds the argv configured for its environment when it was proposed: shown to the
// approver, hashed with the command, and handed out only if the configuration still says the same.
export const deployArgv: Migration = {
  version: 51,
  name: "proposal-deploy-argv",
  up: "ALTER TABLE proposals ADD COLUMN resolved_argv TEXT;",
};
