/** Placeholder until the CLI lands: prints a message. */
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('probe: the CLI is not built yet\n');
  return 2;
}
