/** Benchmark section "audit". (Placeholder until its issue lands.) */
export async function run(): Promise<void> {
  console.log("audit: not implemented yet");
}
