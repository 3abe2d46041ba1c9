// JSON round-trip for a RepoIndex. The format holds documents only; loading rebuilds the index.

import { z } from "zod";
import { InvalidInputError } from "../errors.ts";
import { RepoIndex } from "./index.ts";

export const indexDocSchema = z.object({
  number: z.number().int().positive(),
  kind: z.enum(["issue", "pr"]),
  title: z.string(),
  body: z.string(),
  comments: z.string(),
  state: z.enum(["open", "closed"]).optional(),
  createdAt: z.number().optional(),
  updatedAt: z.number().optional(),
  closedBy: z.array(z.number().int()).optional(),
});

const serialSchema = z.object({ version: z.literal(1), docs: z.array(indexDocSchema) });

export function serializeIndex(index: RepoIndex): string {
  return JSON.stringify(index.toJSON());
}

export function deserializeIndex(json: string): RepoIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new InvalidInputError("serialized index is not valid JSON", { cause: err });
  }
  const r = serialSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InvalidInputError(`serialized index: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return RepoIndex.fromDocs(r.data.docs);
}
