/**
 * `hdrl`: the command-line shell over the engine. Global options: --db PATH (or $HDRL_DB) selects the database
 * file; --help. Exit status: 0 ok, 1 failure, 2 rejected input or bad usage.
 */
import { parseArgs } from 'node:util';
import { openEngine, resolveDbPath, type Engine } from '../engine';
import { APP_VERSION } from '../version';
import { commands } from './commands';
import { UsageError, type CliIO } from './types';

const io: CliIO = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };

function help(): string {
  const lines = [
    `hdrl ${APP_VERSION} — HDRL Desk command line`,
    '',
    'usage: hdrl [--db PATH] <command> [options]',
    '',
    'commands:',
  ];
  for (const c of commands) lines.push(`  ${c.name.padEnd(14)} ${c.summary}`);
  lines.push('', 'hdrl <command> --help shows the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // global options come before the command name
  let dbPath: string | undefined;
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    if (a === '--db') {
      dbPath = argv[++i];
      if (!dbPath) return (io.err('--db needs a path'), 2);
    } else if (a.startsWith('--db=')) dbPath = a.slice(5);
    else if (a === '--help' || a === '-h') return (io.out(help()), 0);
    else if (a === '--version') return (io.out(APP_VERSION), 0);
    else return (io.err(`unknown global option ${a}\n\n${help()}`), 2);
    i++;
  }
  const name = argv[i];
  if (!name) return (io.out(help()), 0);
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) return (io.err(`unknown command "${name}"\n\n${help()}`), 2);
  const rest = argv.slice(i + 1);
  if (rest.includes('--help') || rest.includes('-h'))
    return (io.out(`usage: hdrl ${cmd.name} ${cmd.usage}\n\n${cmd.summary}`), 0);
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...(cmd.options ?? {}), db: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\nusage: hdrl ${cmd.name} ${cmd.usage}`);
    return 2;
  }
  if (typeof parsed.values.db === 'string') dbPath = parsed.values.db;
  let engine: Engine | null = null;
  try {
    if (cmd.needsEngine !== false) engine = openEngine({ dbPath, shell: 'cli' });
    return await cmd.run({
      args: parsed.values,
      positionals: parsed.positionals,
      engine,
      io,
      dbPath: resolveDbPath(dbPath),
    });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\nusage: hdrl ${cmd.name} ${cmd.usage}`);
      return 2;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.HDRL_DEBUG) console.error(e);
    return 1;
  } finally {
    if (engine && cmd.name !== 'serve') engine.close();
  }
}
