/**
 * The slice of Electron's API the shell uses, typed here so that `npm run typecheck` gives the same answer on every
 * machine: Electron is an optional dependency (its binary download needs internet), and its own typings come and go
 * with it. tsconfig.node.json maps 'electron' to this file.
 */
type Listener = (...args: any[]) => any;

export interface WebContents {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  on(event: string, listener: Listener): this;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
}

export declare class BrowserWindow {
  constructor(options?: Record<string, unknown>);
  webContents: WebContents;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): this;
  show(): void;
  loadURL(url: string): Promise<void>;
  loadFile(file: string): Promise<void>;
}

export declare const app: {
  /** true when running from a packaged app (asar), false under `electron .` / electron-vite dev */
  readonly isPackaged: boolean;
  setName(name: string): void;
  whenReady(): Promise<void>;
  on(event: string, listener: Listener): void;
  quit(): void;
  getPath(name: 'userData' | 'home' | 'temp' | 'downloads'): string;
};

export declare const ipcMain: {
  handle(channel: string, listener: (event: any, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
};

export declare const session: {
  defaultSession: {
    setPermissionRequestHandler(
      handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
    ): void;
    setPermissionCheckHandler(handler: () => boolean): void;
    webRequest: { onHeadersReceived(listener: (details: any, callback: (response: any) => void) => void): void };
  };
};

export declare const dialog: {
  showOpenDialog(win: any, options: any): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(win: any, options: any): Promise<{ canceled: boolean; filePath?: string }>;
};

export declare const contextBridge: { exposeInMainWorld(key: string, api: unknown): void };

export declare const ipcRenderer: {
  invoke(channel: string, ...args: unknown[]): Promise<any>;
  on(channel: string, listener: (event: unknown, ...args: any[]) => void): void;
  removeListener(channel: string, listener: Listener): void;
};

export declare const protocol: {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
};

export interface UtilityProcess {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: any) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
}

export declare const utilityProcess: {
  fork(
    modulePath: string,
    args?: string[],
    options?: { env?: NodeJS.ProcessEnv; stdio?: 'inherit' | 'pipe' | 'ignore'; serviceName?: string },
  ): UtilityProcess;
};
