/** Every `hdrl` subcommand. Add a command in its own file and list it here. */
import type { CliCommand } from '../types';
import { infoCommand } from './info';
import { serveCommand } from './serve';
import { benchCommand } from './bench';
import { backtestCommand } from './backtest';
import { optimizeCommand } from './optimize';
import { runsCommand } from './runs';
import { importCommand } from './import';
import { universesCommand } from './universes';
import { exportPricesCommand } from './exportPrices';
import { downloadCommand } from './download';
import { exportCommand } from './export';
import { explainCommand } from './explain';
import { weightsCommand } from './weights';
import { trainCommand } from './train';
import { bookCommand } from './book';
import { todayCommand } from './today';
import { approveCommand } from './approve';
import { ordersCommand } from './orders';
import { executionCommand } from './execution';
import { mplsVolatilityCommand } from './mplsVolatility';
import { newsCommand } from './news';

export const commands: CliCommand[] = [
  infoCommand,
  serveCommand,
  benchCommand,
  backtestCommand,
  optimizeCommand,
  runsCommand,
  importCommand,
  universesCommand,
  exportPricesCommand,
  downloadCommand,
  exportCommand,
  trainCommand,
  weightsCommand,
  explainCommand,
  bookCommand,
  todayCommand,
  approveCommand,
  ordersCommand,
  executionCommand,
  mplsVolatilityCommand,
  newsCommand,
];
