/** Every `hdrl` subcommand. Add a command in its own file and list it here. */
import type { CliCommand } from '../types';
import { infoCommand } from './info';
import { serveCommand } from './serve';
import { benchCommand } from './bench';

export const commands: CliCommand[] = [infoCommand, serveCommand, benchCommand];
