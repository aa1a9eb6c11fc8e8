/** How long the gate finishes evaluations in progress after SIGTERM/SIGINT, unless configured. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;
