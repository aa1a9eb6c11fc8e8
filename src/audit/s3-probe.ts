/**
 * The S3 store's start-up probe. Some S3-compatible stores ignore `If-None-Match`/`If-Match` (two
 * writers then fork the chain silently), and a bucket without Object Lock ignores the retention
 * asked for: both are checked before the first write.
 */
import type { GetObjectLockConfigurationCommandOutput } from "@aws-sdk/client-s3";

/** What the start-up probe found. */
export interface StoreProbe {
  /** A conditional PUT that must fail (`If-None-Match: *` on an existing object, `If-Match` with a wrong ETag) did fail. */
  conditionalWrites: boolean;
  /** The bucket's Object Lock, when retention is configured (`not-configured` otherwise). */
  objectLock: "enabled" | "missing" | "not-configured";
  /** Plain-language problems (empty when safe). */
  problems: string[];
}

/** The probe object: under a prefix that is not a cluster name, so no listing shows it. */
export const PROBE_KEY = ".countersign-probe/conditional-write";

export interface ProbeTarget {
  location: string;
  bucket: string;
  /** The probe object's full key (for messages). */
  key: string;
  objectLock?: { mode: string; days: number };
  /** PUTs the probe object, with a condition when given. */
  send: (input: { body: string; condition?: { IfNoneMatch?: string; IfMatch?: string } }) => Promise<unknown>;
  readObjectLock: () => Promise<GetObjectLockConfigurationCommandOutput>;
}

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

export async function probeS3Store(target: ProbeTarget): Promise<StoreProbe> {
  const body = `countersign probe ${new Date().toISOString()}`;
  try {
    await target.send({ body });
  } catch (error) {
    throw new Error(`probing conditional writes in ${target.location} (${target.key})`, { cause: error });
  }
  const mustFail = async (condition: { IfNoneMatch?: string; IfMatch?: string }): Promise<boolean> => {
    try {
      await target.send({ body, condition });
      return false; // the condition was ignored
    } catch (error) {
      const code = status(error);
      if (code === 412 || code === 409) return true;
      throw new Error(`probing conditional writes in ${target.location} (${target.key})`, { cause: error });
    }
  };
  const conditionalWrites =
    (await mustFail({ IfNoneMatch: "*" })) && (await mustFail({ IfMatch: '"countersign-no-such-etag"' }));
  let objectLock: StoreProbe["objectLock"] = "not-configured";
  const problems: string[] = [];
  if (!conditionalWrites)
    problems.push(
      `${target.location} ignores conditional writes (If-None-Match/If-Match): two writers would fork the audit chain silently`,
    );
  if (target.objectLock) {
    try {
      const out = await target.readObjectLock();
      objectLock = out.ObjectLockConfiguration?.ObjectLockEnabled === "Enabled" ? "enabled" : "missing";
    } catch (error) {
      // No configuration (404), or an endpoint that does not implement it (501): not applied.
      const name = (error as { name?: string }).name ?? "";
      const code = status(error);
      if (code !== 404 && code !== 501 && !/ObjectLockConfigurationNotFound|NotImplemented/.test(name))
        throw new Error(`reading the Object Lock configuration of ${target.bucket}`, { cause: error });
      objectLock = "missing";
    }
    if (objectLock === "missing")
      problems.push(
        `bucket ${target.bucket} does not have Object Lock enabled: the configured ${target.objectLock.mode} retention of ${target.objectLock.days} days would not be applied`,
      );
  }
  return { conditionalWrites, objectLock, problems };
}
