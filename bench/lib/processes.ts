import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Compiles scimgate and the two bench servers with tsc into `dist/` (`tsconfig.bench.json`: the
 * production build of `npm run build`, plus `dist/bench/server.js` and `dist/bench/baseline-server.js`).
 * The servers under test run that JavaScript with plain `node`, as `npm start` runs scimgate: not through
 * tsx, whose on-the-fly transform adds a `__name` call to every function it creates (esbuild's
 * `keepNames`), closures made per request included.
 */
export function buildServers(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.bench.json"], { cwd: ROOT, stdio: "inherit" });
}

/** A server child process under test. */
export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Peak resident set size so far (VmHWM), in bytes. */
  peakRss(): number;
  /** CPU time (user + system) the process has used so far, in seconds (10 ms resolution). */
  cpuSeconds(): number;
  /** The same for its main thread alone: the JavaScript thread that answers requests. */
  mainThreadCpuSeconds(): number;
  stop(): Promise<void>;
}

/** Options for a server child. */
export interface SpawnOptions {
  readonly env: Record<string, string>;
  /** Write a V8 CPU profile of the child into this directory. */
  readonly cpuProfDir?: string;
}

/** Starts the compiled `bench/<entry>.ts` (see buildServers) in a child process and waits for the port it reports. */
export async function spawnServer(
  entry: "server" | "baseline-server",
  opts: SpawnOptions,
): Promise<ServerProcess> {
  const file = `${ROOT}dist/bench/${entry}.js`;
  const prof = opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const child = fork(file, [], {
    execArgv: prof,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`${entry} exited with ${code} before listening`)));
  });
  const pid = child.pid!;
  return {
    port,
    pid,
    peakRss: () => peakRss(pid),
    cpuSeconds: () => cpuSeconds(`/proc/${pid}/stat`),
    mainThreadCpuSeconds: () => cpuSeconds(`/proc/${pid}/task/${pid}/stat`),
    stop: () => stop(child),
  };
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** utime + stime of a `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` file, in seconds. */
function cpuSeconds(statFile: string): number {
  // Fields 14 and 15 (after the parenthesised command name): utime, stime in ticks.
  const stat = readFileSync(statFile, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.send("stop");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
