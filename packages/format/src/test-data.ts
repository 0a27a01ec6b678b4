/** Test helpers: the shared data folder (never copied, CONTRIBUTING.md). Not exported by the package. */
import { readFileSync } from "node:fs";
import { sharedData } from "@tooltune/core/shared-data";

export const SHARED_DATA = sharedData("/");

export interface CourseExample {
  example: string;
  notebook_split: string;
  conversations: { role: string; content: string }[];
  expected_text: string;
}

export function courseExamples(): CourseExample[] {
  return readFileSync(SHARED_DATA + "course/notebook_examples.jsonl", "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CourseExample);
}
