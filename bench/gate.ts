/** Benchmark section "gate". (Placeholder until its issue lands.) */
export async function run(): Promise<void> {
  console.log("gate: not implemented yet");
}
