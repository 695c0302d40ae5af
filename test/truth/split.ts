/**
 * The split of the truth set into a tuning half and an evaluation half,
 * fixed on 2026-12-07 before any package added that day was labelled.
 *
 * Rules change only from disagreements on the tuning half; the evaluation
 * half is scored and reported, never explored (see `README.md` here). The
 * half of a package follows from its npm name alone, so nobody chooses it:
 *
 * - the packages labelled before the split (the classifier was grown on
 *   them, so they cannot measure how it generalises) are tuning;
 * - every other package is tuning when the first byte of the SHA-256 of its
 *   npm name (the truth file's `package`) is even, evaluation when odd.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Which half of the truth set a package belongs to. */
export type Half = "tuning" | "evaluation";

/** Both halves, in report order. */
export const HALVES: readonly Half[] = ["tuning", "evaluation"];

/** The packages labelled before the split: the rules were tuned on them. */
const LABELLED_BEFORE_SPLIT: ReadonlySet<string> = new Set([
  "@grpc/grpc-js",
  "@supabase/realtime-js",
  "amqplib",
  "bottleneck",
  "bree",
  "chokidar",
  "graphile-worker",
  "ioredis",
  "kafkajs",
  "mqtt",
  "node-schedule",
  "piscina",
  "ws",
]);

/**
 * The half a package belongs to.
 *
 * @param packageName the npm name of the labelled package (`@scope/name` or `name`).
 */
export function halfOf(packageName: string): Half {
  if (LABELLED_BEFORE_SPLIT.has(packageName)) return "tuning";
  const firstByte = createHash("sha256").update(packageName, "utf8").digest()[0]!;
  return firstByte % 2 === 0 ? "tuning" : "evaluation";
}
