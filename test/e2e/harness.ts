import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { gatewayClustersSecretName, gatewayConfigSecretName } from "../../components/conventions";
import { projectRoot, stackConfig } from "../helpers/platform";

/**
 * The end-to-end harness: the real Pulumi CLI and providers (built by scripts/toolchain.sh),
 * a file backend in a scratch directory, and the KWOK cluster that scripts/e2e.sh started
 * (its kubeconfig in $E2E_KUBECONFIG).
 */

export const kubeconfig = process.env.E2E_KUBECONFIG ?? path.join(projectRoot, ".cluster", "e2e", "kubeconfig");
export const namespace = "model-services";

function requireEnv(name: string): string {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set: run the end-to-end tier through scripts/e2e.sh (npm run test:e2e)`);
    }
    return value;
}

/** kubectl against the e2e cluster; JSON-decoded when `-o json` is asked for. */
export function kubectl(...args: string[]): any {
    const out = execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return args.includes("json") ? JSON.parse(out) : out;
}

/** Pods of the namespace, optionally of one model service. */
export function pods(service?: string): any[] {
    const selector = service ? ["-l", `model-services.io/service=${service}`] : [];
    return kubectl("get", "pods", "-n", namespace, ...selector, "-o", "json").items;
}

export function runningPods(service: string): any[] {
    return pods(service).filter((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp);
}

/** Waits (polling) until `check` returns true, or fails after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
    const start = Date.now();
    for (;;) {
        try {
            if (check()) {
                return;
            }
        } catch {
            // the API may briefly refuse while objects are created
        }
        if (Date.now() - start > timeoutMs) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 500));
    }
}

export interface E2eStack {
    stack: Stack;
    workDir: string;
    /** The raw `model-services:*` config the stack runs with now. */
    raw: Record<string, any>;
    /** Rewrites the stack file with a changed config (as a user edits Pulumi.<stack>.yaml). */
    setConfig(raw: Record<string, any>): void;
    /** The environment the CLI runs with (backend, passphrase, plugins). */
    env: Record<string, string>;
    /** The file backend's directory. */
    backend: string;
}

/**
 * A scratch copy of the project (program, components, stack file) with the `local` stack's
 * config pointed at the e2e cluster, and a file backend of its own.
 */
export async function createStack(stackName = "local", baseConfig?: Record<string, any>, clusterKubeconfig = kubeconfig): Promise<E2eStack> {
    const workDir = mkdtempSync(path.join(tmpdir(), "model-services-e2e-"));
    for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "stacks", "components"]) {
        cpSync(path.join(projectRoot, entry), path.join(workDir, entry), { recursive: true });
    }
    execFileSync("ln", ["-s", path.join(projectRoot, "node_modules"), path.join(workDir, "node_modules")]);
    const backend = path.join(workDir, ".pulumi");
    mkdirSync(backend);

    const raw = structuredClone(baseConfig ?? stackConfig("local"));
    raw.cluster = { ...raw.cluster, kubeconfig: clusterKubeconfig };
    const stackFile = path.join(workDir, `Pulumi.${stackName}.yaml`);
    const setConfig = (next: Record<string, any>) => {
        const doc = { config: Object.fromEntries(Object.entries(next).map(([k, v]) => [`model-services:${k}`, v])) };
        // Keep the encryption salt the engine wrote when it created the stack.
        const salt = readSaltOf(stackFile);
        writeFileSync(stackFile, stringify(salt ? { encryptionsalt: salt, ...doc } : doc));
        e2e.raw = structuredClone(next);
    };

    const { workspace: ws, env: envVars } = await engineWorkspace(workDir, backend);
    const stack = await Stack.create(stackName, ws);
    const e2e: E2eStack = { stack, workDir, raw, setConfig, env: envVars, backend };
    setConfig(raw);
    return e2e;
}

/** The pinned engine on a file backend in `backend`, offline: a workspace for the program in `workDir`, and its environment. */
export async function engineWorkspace(workDir: string, backend: string): Promise<{ workspace: LocalWorkspace; env: Record<string, string> }> {
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(requireEnv("MODEL_SERVICES_TOOLCHAIN_BIN")), skipVersionCheck: true });
    const env = {
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE: "e2e",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_HOME: requireEnv("PULUMI_HOME"),
        PATH: process.env.PATH ?? "",
    };
    return { workspace: await LocalWorkspace.create({ workDir, pulumiCommand, envVars: env }), env };
}

function readSaltOf(file: string): string | undefined {
    try {
        return /^encryptionsalt:\s*(\S+)/m.exec(readFileSync(file, "utf8"))?.[1];
    } catch {
        return undefined;
    }
}

/**
 * What a user does after an update was killed: a file backend keeps the dead engine's lock,
 * so remove it (no `pulumi cancel` on self-managed backends), then let a refresh drop the
 * pending creates the engine could not confirm (the objects are adopted again by the next up).
 */
export async function recoverInterruptedUpdate(e2e: E2eStack): Promise<void> {
    rmSync(path.join(e2e.backend, ".pulumi", "locks"), { recursive: true, force: true });
    await e2e.stack.refresh({ clearPendingCreates: true });
}

/** Every file under a directory, recursively (the file backend's state, locks, history and backups). */
export function filesUnder(dir: string): string[] {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name));
}

/** The lock files the file backend holds for running (or killed) updates. */
export function backendLocks(e2e: E2eStack): string[] {
    const locks = path.join(e2e.backend, ".pulumi", "locks");
    try {
        return filesUnder(locks);
    } catch {
        return [];
    }
}

/** The stack's checkpoint as the file backend stored it, read from disk (no CLI, no lock). */
export function storedCheckpoint(e2e: E2eStack): any {
    const file = filesUnder(path.join(e2e.backend, ".pulumi", "stacks")).find((f) => path.basename(f) === `${e2e.stack.name}.json`);
    if (!file) {
        throw new Error(`no checkpoint of stack ${e2e.stack.name} under ${e2e.backend}`);
    }
    return JSON.parse(readFileSync(file, "utf8"));
}

export function removeStack(e2e: E2eStack): void {
    rmSync(e2e.workDir, { recursive: true, force: true });
}

/** The project's policy pack, run on every preview and update of the end-to-end tier. */
export const policyPacks = [path.join(projectRoot, "policies")];

/** The gateway's two config Secrets (listeners, routes and keys; clusters), as the gateway mounts them. */
export const gatewaySecrets = [gatewayConfigSecretName, gatewayClustersSecretName];

/** The text of every file in the gateway's config Secrets. */
export function gatewayConfigText(): string {
    return gatewaySecrets
        .flatMap((name) => Object.values(kubectl("get", "secret", name, "-n", namespace, "-o", "json").data ?? {}))
        .map((v) => Buffer.from(String(v), "base64").toString("utf8"))
        .join("\n");
}

/** Writes a Secret's entries as files into a fresh directory, for tools that read config from disk. */
export function secretToDir(...names: string[]): string {
    const dir = mkdtempSync(path.join(tmpdir(), `${names[0]}-`));
    for (const name of names) {
        const data = kubectl("get", "secret", name, "-n", namespace, "-o", "json").data ?? {};
        for (const [file, value] of Object.entries(data)) {
            writeFileSync(path.join(dir, file), Buffer.from(String(value), "base64"));
        }
    }
    return dir;
}

/** A preview's planned steps (everything but `same`), as `op type name` lines plus each update's changed paths. */
export async function plannedSteps(e2e: E2eStack): Promise<{ steps: string[]; updates: Record<string, string[]> }> {
    const events: EngineEvent[] = [];
    await e2e.stack.preview({ diff: true, policyPacks, onEvent: (e) => events.push(e) });
    const steps: string[] = [];
    const updates: Record<string, string[]> = {};
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.op === "same" || m.type === "pulumi:pulumi:Stack") {
            continue;
        }
        const name = m.urn.split("::").pop()!;
        steps.push(`${m.op} ${m.type} ${name}`);
        if (m.op === "update") {
            updates[`${m.type} ${name}`] = Object.keys(m.detailedDiff ?? {}).sort();
        }
    }
    return { steps: steps.sort(), updates };
}

/**
 * What the AWS cloud provider does for a `LoadBalancer` Service on EKS: gives it an address in
 * `status.loadBalancer.ingress`. KWOK has no cloud provider, so this stands in for one (a
 * hostname that resolves nowhere) while an update waits for it. Returns a stop function.
 */
export function simulateLoadBalancers(hostname = "model-gateway.simulated-elb.invalid"): () => void {
    const timer = setInterval(() => {
        try {
            const services = kubectl("get", "services", "-n", namespace, "-o", "json").items;
            for (const s of services) {
                if (s.spec.type === "LoadBalancer" && !s.status?.loadBalancer?.ingress?.length) {
                    kubectl("patch", "service", s.metadata.name, "-n", namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { loadBalancer: { ingress: [{ hostname }] } } }));
                }
            }
        } catch {
            // the namespace may not exist yet
        }
    }, 1000);
    return () => clearInterval(timer);
}

/** Nodes of the cluster per `model-services.io/node-group` value. */
export function nodeCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const node of kubectl("get", "nodes", "-o", "json").items) {
        const group = node.metadata.labels?.["model-services.io/node-group"] ?? "(none)";
        counts[group] = (counts[group] ?? 0) + 1;
    }
    return counts;
}

/**
 * `pulumi preview` through the CLI, its engine events streamed as JSON lines on stdout
 * (`--json` with PULUMI_ENABLE_STREAMING_JSON_PREVIEW) and read whole once the CLI has exited:
 * the Automation API's event stream may end before the last events when the command fails,
 * which made "exactly these violations" flaky.
 */
export function previewEvents(e2e: E2eStack, ...args: string[]): { status: number | null; output: string; events: EngineEvent[] } {
    const run = spawnSync(path.join(requireEnv("MODEL_SERVICES_TOOLCHAIN_BIN"), "pulumi"), ["preview", "--stack", e2e.stack.name, "--non-interactive", "--json", ...args], {
        cwd: e2e.workDir,
        env: { ...process.env, ...e2e.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    const events = run.stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as EngineEvent);
    if (events.length === 0) {
        throw new Error(`pulumi preview streamed no events (exit ${run.status}):\n${run.stdout}${run.stderr}${run.error ?? ""}`);
    }
    return { status: run.status, output: `${run.stdout}${run.stderr}`, events };
}
