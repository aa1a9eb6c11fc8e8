import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/config/policy-files.js";
import { canonicalJson as auditCanonicalJson } from "../../src/core/audit/canonical-json.js";
import { canonicalJson } from "../../src/core/canonical.js";
import { sampleChain } from "./audit/fixtures.js";

// Digests recorded before the policy digest and the audit log moved onto the core's canonical
// JSON (src/core/canonical.ts). Approval records, check runs and audit chains already hold these
// values: if one of them changes, existing data stops verifying. Change them only with a
// versioned, documented change of the digest.
const DEFAULT_PACK_DIGEST = "41faa48bcc341ced13282adb9290b36e6ec2552252462902ba0847aba4947ab5";
const SAMPLE_CHAIN_HASHES = [
  "75ef0fe649cba960090296141ce12cdde8540f4b332408a6c7ba313ffd127d4f",
  "a14bd34e6b1448d534c7e544f384a21169ee2d125e9ca7e693ec36f35520ed1d",
  "ae17d2ec7c59ded784dcf659ef1acdafec6b04dc384c89ac6f12539388e88d93",
  "3e6ba27a2f9eea1d8dd92b995cd098fdb5641a43b59fc37bc73122a27b787862",
  "e74c336f27d270c0e4232fefd234db982d40c1e9f074e3f327d79fd1d66bf346",
];

describe("pinned digests", () => {
  it("keeps the default pack's policy digest", async () => {
    expect((await loadPolicy()).digest).toBe(DEFAULT_PACK_DIGEST);
  });

  it("keeps the hashes of the sample audit chain (and so its masked digests)", () => {
    expect(sampleChain().map((record) => record.hash)).toEqual(SAMPLE_CHAIN_HASHES);
  });
});

describe("the audit log's rules on the core's canonical JSON", () => {
  it("leaves out undefined members and writes undefined elements as null, where the core refuses them", () => {
    const value = { b: [1, undefined], a: undefined };
    expect(auditCanonicalJson(value)).toBe('{"b":[1,null]}');
    expect(() => canonicalJson(value)).toThrow(/canonical JSON/);
  });

  it("refuses objects that are not plain, as the core does", () => {
    expect(() => auditCanonicalJson({ when: new Date(0) })).toThrow(/not a plain object/);
  });
});
