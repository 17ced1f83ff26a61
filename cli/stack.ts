import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { defaults } from "../components/config/rules";
import { readStackFile } from "../components/config/stackFile";
import { ClusterTarget } from "./kube";

const run = promisify(execFile);

/** A deployed service as the stack's `services` output lists it. */
export interface ServiceOutput {
    name: string;
    displayName?: string;
    accessName: string;
    serviceId: string;
    baseModel: string;
    /** Adapter services: the base service whose pods serve it. */
    base?: string;
    task?: string;
    instances: number;
    gpusPerInstance?: number;
    nodeGroup?: string;
    status?: string;
}

export interface NodeGroupOutput {
    name: string;
    instanceType: string;
    gpusPerNode: number;
    minSize: number;
    desiredSize: number;
    maxSize: number;
}

/** The stack's `playground` output (`PlaygroundSummary`): where the playground's Service is. */
export interface PlaygroundOutput {
    namespace: string;
    service: string;
    port: number;
    url: string;
    keyName: string;
    services: string[];
}

/** The stack outputs the CLI reads (`stacks/index.ts` exports them). */
export interface StackOutputs {
    endpoint?: string;
    namespace?: string;
    services?: ServiceOutput[];
    nodeGroups?: NodeGroupOutput[];
    /** key name → key; present only when read with secrets. */
    apiKeys?: Record<string, string> | string;
    /** Present when `playground.enabled`. */
    playground?: PlaygroundOutput;
}

/** The project directory: where Pulumi.yaml is, found upwards from the working directory. */
export function projectDir(start = process.cwd()): string {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error("no Pulumi.yaml in this directory or above: run model-services inside the project");
        }
    }
}

/**
 * `pulumi stack output --json` of a stack, through the `pulumi` on PATH (the pinned one after
 * `eval "$(./scripts/env.sh)"`, which also sets the backend and passphrase of the local stack).
 */
export async function readStackOutputs(stack: string | undefined, opts: { secrets: boolean; cwd: string }): Promise<StackOutputs> {
    const args = ["stack", "output", "--json", ...(opts.secrets ? ["--show-secrets"] : []), ...(stack ? ["--stack", stack] : [])];
    try {
        const { stdout } = await run("pulumi", args, { cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
        return JSON.parse(stdout) as StackOutputs;
    } catch (e) {
        const err = e as { stderr?: string; code?: string; message: string };
        if (err.code === "ENOENT") {
            throw new Error("pulumi is not on PATH: run `eval \"$(./scripts/env.sh)\"` first (it puts the pinned CLI on PATH)");
        }
        throw new Error(`pulumi ${args.join(" ")} failed: ${(err.stderr || err.message).trim()}`);
    }
}

/** The stack's name when none is given: the selected one. */
export async function selectedStack(cwd: string): Promise<string> {
    const { stdout } = await run("pulumi", ["stack", "--show-name"], { cwd });
    return stdout.trim();
}

/**
 * Where the stack's objects live: the namespace from the outputs, the stack file, or the
 * in-cluster endpoint's host (`<service>.<namespace>.svc.cluster.local`), the kubeconfig from `--kubeconfig`, else
 * the stack file's `cluster.kubeconfig` (relative to the project), else kubectl's default.
 */
export function clusterTarget(outputs: StackOutputs, stackFile: string | undefined, override: { kubeconfig?: string; context?: string } = {}): ClusterTarget {
    const raw = stackFile && existsSync(stackFile) ? readStackFile(stackFile).raw : {};
    const cluster = (raw.cluster ?? {}) as { kubeconfig?: string; context?: string };
    const fromEndpoint = outputs.endpoint ? /^https?:\/\/[^./]+\.([^./]+)\.svc\.cluster\.local/.exec(outputs.endpoint)?.[1] : undefined;
    const kubeconfig = override.kubeconfig ?? (cluster.kubeconfig && stackFile ? path.resolve(path.dirname(stackFile), cluster.kubeconfig) : undefined);
    return { namespace: outputs.namespace ?? (raw.namespace as string | undefined) ?? fromEndpoint ?? defaults.namespace, kubeconfig, context: override.context ?? cluster.context };
}
