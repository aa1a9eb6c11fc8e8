/** Benchmark section "policy". (Placeholder until its issue lands.) */
export async function run(): Promise<void> {
  console.log("policy: not implemented yet");
}
