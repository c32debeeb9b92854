/** A user-facing command-line error: printed as one line, exit status 2. */
export class CliError extends Error {}
