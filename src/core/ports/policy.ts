import type { ChangeSet, Classification, Requirement, RiskLevel } from "../model.js";

/**
 * A policy compiled once (schema checked, CEL expressions compiled) and then evaluated as a
 * pure function of a change set. Implemented by src/core/policy/.
 */
export interface CompiledPolicy {
  /** sha256 of the policy's canonical form; recorded in approval records. */
  readonly digest: string;
  /** Level of a change no rule matches. */
  readonly baseLevel: RiskLevel;
  /** The namespace countersign runs in: changes to it are self-protection findings. */
  readonly countersignNamespace: string;
  /** Requirement of each level. */
  readonly requirements: Readonly<Record<RiskLevel, Requirement>>;
  /** Classify every change; never throws on object content (rule errors become findings). */
  classify(changeSet: ChangeSet): Classification;
}
