import { z } from "zod";

/** An issue as the CLI or a job hands it in. Labels may be names or GitHub label objects. */
export const IssueInputSchema = z.object({
  title: z.string({ error: "title: expected a string" }).default(""),
  body: z.string({ error: "body: expected a string or null" }).nullable().default(""),
  labels: z
    .array(z.union([z.string(), z.object({ name: z.string().nullable().optional() }).loose()]), {
      error: "labels: expected an array of label names or {name} objects",
    })
    .default([]),
});
