import { diffManifestSets } from "./change-set.js";
import type { ManifestError, ManifestSet, Plan, PlanSide, SkippedDocument } from "./model.js";
import type { CompiledPolicy } from "./ports/policy.js";

/**
 * The plan of a change: the change set between base and head, classified by the policy, with the
 * skipped documents and input errors of both sides, each listed once with its side (head's first,
 * since that is what is proposed).
 *
 * An object of the base whose file has errors on the head is not planned as deleted: it may sit
 * in the part of the file that could not be read, and an unreadable document must never turn into
 * a delete. The head's errors already stop approval.
 */
export function plan(base: ManifestSet, head: ManifestSet, policy: CompiledPolicy): Plan {
  const unreadable = new Set(head.errors.map((e) => e.file));
  let baseForDiff = base;
  if (unreadable.size > 0) {
    const objects = new Map(base.objects);
    for (const [key, object] of base.objects)
      if (unreadable.has(object.source.file) && !head.objects.has(key)) objects.delete(key);
    baseForDiff = { ...base, objects };
  }
  const changeSet = diffManifestSets(baseForDiff, head);
  return {
    changeSet,
    classification: policy.classify(changeSet),
    skipped: bySide(head.skipped, base.skipped, (s) => `${s.file}\n${s.line}\n${s.reason}`),
    errors: bySide(
      head.errors,
      base.errors,
      (e) => `${e.file}\n${e.line ?? ""}\n${e.column ?? ""}\n${e.message}`,
    ),
  };
}

/** Head's items then base's, each once, labelled with the side(s) it was found on. */
function bySide<T extends ManifestError | SkippedDocument>(
  head: readonly T[],
  base: readonly T[],
  id: (item: T) => string,
): T[] {
  const onBase = new Set(base.map(id));
  const onHead = new Set<string>();
  const out: T[] = [];
  const add = (item: T, side: PlanSide) => out.push({ ...item, side });
  for (const item of head) {
    const key = id(item);
    if (onHead.has(key)) continue;
    onHead.add(key);
    add(item, onBase.has(key) ? "base and head" : "head");
  }
  const seenBase = new Set<string>();
  for (const item of base) {
    const key = id(item);
    if (onHead.has(key) || seenBase.has(key)) continue;
    seenBase.add(key);
    add(item, "base");
  }
  return out;
}
