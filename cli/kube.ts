import { ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

/**
 * The cluster, through `kubectl` (the pinned one that `scripts/toolchain.sh env` puts on
 * PATH, or the user's own). kubectl rather than raw HTTPS to the API server because it
 * already speaks every kubeconfig form a user may have — client certificates, bearer
 * tokens and exec credential plugins (`aws eks get-token` on EKS) — and implements the
 * port-forward and log-streaming protocols; reimplementing those would be most of this CLI.
 */

const run = promisify(execFile);

/** Where a stack's objects are: a kubeconfig file (and context) and the namespace. */
export interface ClusterTarget {
    kubeconfig?: string;
    context?: string;
    namespace: string;
}

function baseArgs(target: ClusterTarget): string[] {
    return [...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []), ...(target.context ? ["--context", target.context] : []), "-n", target.namespace];
}

export async function kubectl(target: ClusterTarget, args: string[]): Promise<string> {
    try {
        const { stdout } = await run("kubectl", [...baseArgs(target), ...args], { maxBuffer: 256 * 1024 * 1024 });
        return stdout;
    } catch (e) {
        const err = e as { stderr?: string; code?: string; message: string };
        if (err.code === "ENOENT") {
            throw new Error("kubectl is not on PATH: run `eval \"$(./scripts/env.sh)\"` first, or install kubectl");
        }
        throw new Error(`kubectl ${args.join(" ")} failed: ${(err.stderr || err.message).trim()}`);
    }
}

/** `kubectl get KIND -o json` → its items. */
export async function listObjects<T = any>(target: ClusterTarget, kind: string, extra: string[] = []): Promise<T[]> {
    return JSON.parse(await kubectl(target, ["get", kind, ...extra, "-o", "json"])).items as T[];
}

/** A running `kubectl port-forward`, with the local port it chose. */
export interface PortForward {
    localPort: number;
    close(): void;
}

/**
 * Forwards a local port to `service/<name>:<port>`: the given one, or a free one kubectl picks
 * (`:remote`); kubectl prints `Forwarding from 127.0.0.1:<local> -> <remote>` once it listens.
 */
export function portForward(target: ClusterTarget, resource: string, remotePort: number, opts: { timeoutMs?: number; localPort?: number } = {}): Promise<PortForward> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const child: ChildProcess = spawn("kubectl", [...baseArgs(target), "port-forward", "--address", "127.0.0.1", resource, `${opts.localPort ?? ""}:${remotePort}`], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new Promise((resolve, reject) => {
        let stderr = "";
        const timer = setTimeout(() => {
            child.kill();
            reject(new Error(`kubectl port-forward ${resource} did not start within ${timeoutMs} ms: ${stderr.trim()}`));
        }, timeoutMs);
        child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
        child.stdout!.on("data", (d: Buffer) => {
            const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(d.toString());
            if (m) {
                clearTimeout(timer);
                resolve({ localPort: Number(m[1]), close: () => child.kill() });
            }
        });
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`kubectl port-forward ${resource} exited (${code}): ${stderr.trim()}`));
        });
    });
}
