import type { IndexDoc } from "../../src/search/types.ts";

const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 1);

/** Small synthetic corpus for unit tests of filtering and plumbing (ranking quality is benchmarked on real data). */
export function docs(): IndexDoc[] {
  return [
    {
      number: 1,
      kind: "issue",
      title: "NullPointerException in FileSystem.get when path is empty",
      body: "at org.apache.hadoop.fs.FileSystem.get(FileSystem.java:123)",
      comments: "",
      state: "closed",
      createdAt: T0,
      closedBy: [7],
    },
    {
      number: 2,
      kind: "issue",
      title: "Dark mode colours wrong in settings",
      body: "The settings page ignores the theme.",
      comments: "",
      state: "open",
      createdAt: T0 + DAY,
    },
    {
      number: 3,
      kind: "issue",
      title: "FileSystem.get throws NullPointerException for empty path",
      body: "Stack: FileSystem.get(FileSystem.java:123)",
      comments: "same here",
      state: "open",
      createdAt: T0 + 2 * DAY,
    },
    {
      number: 4,
      kind: "issue",
      title: "NullPointerException FileSystem.get empty path again",
      body: "",
      comments: "",
      state: "open",
      createdAt: T0 + 3 * DAY,
    },
    { number: 5, kind: "pr", title: "Upgrade build to Gradle 8", body: "", comments: "", state: "closed" },
  ];
}
