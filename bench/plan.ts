/** Benchmark section "plan". (Placeholder until its issue lands.) */
export async function run(): Promise<void> {
  console.log("plan: not implemented yet");
}
