import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readStackFile } from "../../components/config/stackFile";
import { installMocks, MockOptions, ProviderState, RegisteredResource, settle, valueOf } from "./mocks";

/** The project's root directory. */
export const projectRoot = path.resolve(__dirname, "../..");

/** The `model-services:*` keys of a shipped stack file, without the namespace, as YAML values. */
export function stackConfig(stack: string): Record<string, any> {
    return readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`)).raw;
}

/** Pulumi's flat config map of a raw config: structured values as JSON text, as the engine passes them. */
export function flatConfig(raw: Record<string, any>, extra: Record<string, string> = {}): Record<string, string> {
    const flat: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(raw)) {
        flat[`model-services:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return flat;
}

export interface PlatformRun {
    registered: RegisteredResource[];
    outputs: {
        endpoint: string;
        services: any[];
        apiKeys: Record<string, string>;
        nodeGroups: any[];
        capacity: any;
        /** Present when `playground.enabled`. */
        playground?: any;
    };
    /** Whether each output was marked secret. */
    secretOutputs: Record<string, boolean>;
}

/**
 * Runs the real stack program (`stacks/index.ts`) under Pulumi mocks with the given raw
 * config, and returns every registered resource and the stack's outputs. Pass the same
 * `state` to successive runs to model successive `pulumi up`s of one stack (generated
 * values kept unless replaced); `cluster` and `aws` model what the providers report.
 */
export async function runStack(
    raw: Record<string, any>,
    opts: { stack?: string; extraConfig?: Record<string, string>; secretKeys?: string[] } & Pick<MockOptions, "state" | "cluster" | "aws"> = {},
): Promise<PlatformRun> {
    const { vi } = await import("vitest");
    if (raw.cluster?.kind === "kubeconfig" && raw.cluster.kubeconfig) {
        // The stack program reads the kubeconfig file; under mocks a stand-in does.
        raw = { ...raw, cluster: { ...raw.cluster, kubeconfig: mockKubeconfig() } };
    }
    vi.resetModules();
    const state = opts.state ?? new ProviderState();
    const registered = await installMocks({ stack: opts.stack ?? "local", config: flatConfig(raw, opts.extraConfig), secretKeys: opts.secretKeys, state, cluster: opts.cluster, aws: opts.aws });
    const pulumi = await import("@pulumi/pulumi");
    let program: typeof import("../../stacks/index");
    try {
        program = await import("../../stacks/index");
    } catch (e) {
        await settle();
        state.endRun();
        throw Object.assign(e as Error, { registered });
    }
    const outputs = {
        endpoint: await valueOf(program.endpoint),
        services: await valueOf(program.services),
        apiKeys: await valueOf(program.apiKeys),
        nodeGroups: await valueOf(program.nodeGroups),
        capacity: await valueOf(program.capacity),
        playground: await valueOf(program.playground),
    };
    const secretOutputs = {
        endpoint: await pulumi.isSecret(program.endpoint),
        services: await pulumi.isSecret(program.services),
        apiKeys: await pulumi.isSecret(program.apiKeys),
        nodeGroups: await pulumi.isSecret(program.nodeGroups),
        capacity: await pulumi.isSecret(program.capacity),
        playground: await pulumi.isSecret(program.playground),
    };
    await settle();
    state.endRun();
    return { registered, outputs, secretOutputs };
}

function mockKubeconfig(): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "mock-kubeconfig-")), "kubeconfig");
    writeFileSync(file, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
    return file;
}

/** Paths where two JSON values differ (`a.b[0]`), for comparing a resource's inputs between runs. */
export function diffPaths(a: unknown, b: unknown, at = ""): string[] {
    if (Array.isArray(a) && Array.isArray(b)) {
        const n = Math.max(a.length, b.length);
        return Array.from({ length: n }, (_, i) => diffPaths(a[i], b[i], `${at}[${i}]`)).flat();
    }
    if (a && b && typeof a === "object" && typeof b === "object") {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((k) => diffPaths((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

/** Every resource's inputs keyed by `type::name`. */
export function byUrnKey(registered: RegisteredResource[]): Map<string, RegisteredResource> {
    return new Map(registered.map((r) => [`${r.type}::${r.name}`, r]));
}

/** What changed between two runs: resources added, removed, and the input paths that differ per resource. */
export function compareRuns(before: RegisteredResource[], after: RegisteredResource[]) {
    const a = byUrnKey(before);
    const b = byUrnKey(after);
    const added = [...b.keys()].filter((k) => !a.has(k)).sort();
    const removed = [...a.keys()].filter((k) => !b.has(k)).sort();
    const changed: Record<string, string[]> = {};
    for (const [key, r] of a) {
        const other = b.get(key);
        if (other) {
            const paths = diffPaths(r.inputs, other.inputs);
            if (paths.length > 0) {
                changed[key] = paths;
            }
        }
    }
    return { added, removed, changed };
}
