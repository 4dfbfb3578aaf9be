// Shared set-up for the end-to-end tests: Debian's chromium driven by playwright-core (no browser download), a
// fresh profile per run, a 1280×800 window, screenshots, and a record of every browser console error.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const BASE_URL = process.env.DW_SIM_E2E_URL ?? "";
export const CHROMIUM = process.env.DW_SIM_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  /** Console errors a test causes on purpose (a cancelled query answers 409; a stopped server refuses
   * connections): each must match one of these, and they are cleared after every test. */
  allowed: RegExp[];
  /** The unexpected console errors since the last call (for afterEach). */
  takeErrors: () => string[];
  close: () => Promise<void>;
}

export async function openBrowser(baseURL: string = BASE_URL): Promise<Browser> {
  if (!baseURL) throw new Error("DW_SIM_E2E_URL is not set: run the e2e suite through scripts/test-web.sh");
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "dw-sim-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    baseURL,
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const consoleErrors: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (msg) => {
      if (msg.type() === "error") consoleErrors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on("pageerror", (err) => consoleErrors.push(`${page.url()}: uncaught ${err.message}`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  const page = context.pages()[0] ?? (await context.newPage());
  const allowed: RegExp[] = [];
  return {
    context,
    page,
    consoleErrors,
    allowed,
    takeErrors: () => {
      const unexpected = consoleErrors.splice(0).filter((e) => !allowed.some((re) => re.test(e)));
      allowed.splice(0);
      return unexpected;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A port nobody listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A `dw-sim serve` of the test's own (to stop and start again), on a data root it chooses. */
export class OwnServer {
  proc: ChildProcess | null = null;
  log = "";
  constructor(
    readonly dataRoot: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const bin = join(REPO, ".venv/bin/dw-sim");
    this.proc = spawn(bin, ["serve", "--host", "127.0.0.1", "--port", String(this.port)], {
      env: { ...process.env, DW_SIM_DATA_ROOT: this.dataRoot, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc.stdout?.on("data", (d) => (this.log += String(d)));
    this.proc.stderr?.on("data", (d) => (this.log += String(d)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`dw-sim serve exited:\n${this.log.slice(-3000)}`);
      try {
        const r = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`dw-sim serve did not answer within ${timeoutMs} ms:\n${this.log.slice(-3000)}`);
  }

  /** Kill it outright (as a crash would). */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    this.proc = null;
  }
}

/** Call the API directly (set-up steps that the UI is not under test for). */
export async function api(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}
