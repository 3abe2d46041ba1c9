import picomatch from "picomatch";
import type { Frame } from "./schema.ts";
import type { StackLanguage } from "./stack.ts";

// Decides which frames belong to the application. Library and runtime frames never contribute to a
// fingerprint, so a dependency upgrade that reshuffles its internals does not split incidents.

const LIB_PATH =
  /(?:^|[/\\])(?:node_modules|site-packages|dist-packages|\.venv|vendor)[/\\]|^node:|^internal[/\\]|<frozen |^<|\[native code\]/;
const PY_STDLIB = /[/\\]lib[/\\](?:python\d[\d.]*|pypy\d*)[/\\](?!site-packages|dist-packages)/;
const JAVA_LIB = /^(?:[\w.]+\/)?(?:java|javax|jakarta|sun|com\.sun|jdk|kotlin|scala)\./;
const GO_ROOT = /(?:^|\/)(?:usr\/local\/go|go\/src\/(?:runtime|net|internal|syscall|os|sync|reflect))\//;

export type InAppMatcher = (frame: Omit<Frame, "inApp">, language: StackLanguage) => boolean;

export function createInAppMatcher(inApp: string[] = [], notInApp: string[] = []): InAppMatcher {
  const yes = inApp.length ? picomatch(inApp, { dot: true, contains: true }) : null;
  const no = notInApp.length ? picomatch(notInApp, { dot: true, contains: true }) : null;
  return (frame, language) => {
    const subject = frame.file ?? frame.module ?? "";
    const mod = frame.module ?? "";
    if (no && (no(subject) || (mod && no(mod)))) return false;
    if (yes && (yes(subject) || (mod && yes(mod)))) return true;
    return defaultInApp(frame, language);
  };
}

export function defaultInApp(frame: Omit<Frame, "inApp">, language: StackLanguage): boolean {
  const file = frame.file ?? "";
  if (file && LIB_PATH.test(file)) return false;
  switch (language) {
    case "java":
      return !JAVA_LIB.test(frame.module ?? "");
    case "python":
      return !PY_STDLIB.test(file);
    case "go": {
      if (GO_ROOT.test(file)) return false;
      // Standard-library packages have no dot in their first path element (net/http, runtime);
      // `main` is the program itself.
      const mod = frame.module ?? "";
      const first = mod.split("/")[0] ?? "";
      return (
        mod === "main" || first.includes(".") || (mod !== "" && !file.includes("/go/src/") && !isGoStd(first))
      );
    }
    default:
      return file !== "" && file !== "native" && !/^(?:events|module|node|internal)\.js$/.test(file);
  }
}

const GO_STD = new Set(
  "archive bufio builtin bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings sync syscall testing text time unicode unique unsafe".split(
    " ",
  ),
);
function isGoStd(first: string): boolean {
  return GO_STD.has(first);
}
