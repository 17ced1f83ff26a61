import * as pulumi from "@pulumi/pulumi";
import { awsInvoke, AwsAccountModel, awsReplaceKeys, createAwsIdentity, newAwsAccount } from "./awsModel";
import { ClusterModel, createKubernetesIdentity, kubernetesState } from "./clusterModel";
import { checkedRandomInputs, createRandom } from "./randomModel";

/** A resource the program registered, as the mocks saw it. */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    /** Inputs with Pulumi's secret wrappers removed. */
    inputs: Record<string, any>;
    /** Paths (`a.b[0]`) of the inputs that arrived as Pulumi secrets. */
    secretPaths: string[];
    /** The ID the modelled provider gave it. */
    id: string;
    /** Its outputs as the modelled provider computed them (secret wrappers removed). */
    outputs: Record<string, any>;
    /** What the engine would do with it in this run, judged against the state of the runs before. */
    op: "create" | "same" | "update" | "replace";
}

/** What a provider keeps about one resource between runs (Pulumi's state file, in the mocks). */
interface StoredResource {
    type: string;
    /** The inputs the replace rule compares. */
    checked: Record<string, unknown>;
    /** Every input, to tell an in-place update from no change. */
    inputs: Record<string, unknown>;
    id: string;
    /** Values the provider generated at creation and keeps until a replacement. */
    identity: Record<string, any>;
}

/**
 * The stack's state across program runs, keyed by URN, as Pulumi keeps it: a resource
 * keeps its generated values (random IDs and keys, UIDs, ARNs, endpoints) until an input
 * its provider replaces on changes; a resource a run no longer registers is deleted.
 * Give the same `ProviderState` to successive `installMocks`/`runStack` calls to model
 * successive `pulumi up`s of one stack.
 */
export class ProviderState {
    private readonly resources = new Map<string, StoredResource>();
    private seen = new Set<string>();

    /** Called by the mocks for every registration. */
    register(urn: string, type: string, checked: Record<string, unknown>, inputs: Record<string, unknown>, create: () => { id: string; identity: Record<string, any> }): { stored: StoredResource; op: RegisteredResource["op"] } {
        this.seen.add(urn);
        const old = this.resources.get(urn);
        if (old && old.type === type && sameJson(old.checked, checked)) {
            const op = sameJson(old.inputs, inputs) ? "same" : "update";
            old.inputs = inputs;
            return { stored: old, op };
        }
        const { id, identity } = create();
        const stored = { type, checked, inputs, id, identity };
        this.resources.set(urn, stored);
        return { stored, op: old ? "replace" : "create" };
    }

    /** Ends one run: what it did not register is deleted, as `pulumi up` deletes it. */
    endRun(): void {
        for (const urn of [...this.resources.keys()]) {
            if (!this.seen.has(urn)) {
                this.resources.delete(urn);
            }
        }
        this.seen = new Set();
    }
}

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sorted);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as any)[k])]));
    }
    return value;
}

function pick(inputs: Record<string, any>, paths: string[]): Record<string, unknown> {
    return Object.fromEntries(paths.map((p) => [p, p.split(".").reduce((v: any, k) => v?.[k], inputs) ?? null]));
}

/** The signature key Pulumi marks serialized secrets with. */
const secretSig = "4dabf18193072939515e22adb298388d";

function unwrapSecrets(value: any, path: string, found: string[]): any {
    if (Array.isArray(value)) {
        return value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, found));
    }
    if (value !== null && typeof value === "object") {
        if (secretSig in value) {
            found.push(path);
            return unwrapSecrets(value.value, path, []);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, path ? `${path}.${k}` : k, found)]));
    }
    return value;
}

function secret(value: unknown): unknown {
    return { [secretSig]: "1b47061264138c4ac30d75fd1eb44270", value };
}

export interface MockOptions {
    project?: string;
    stack?: string;
    config?: Record<string, string>;
    secretKeys?: string[];
    /** The stack's state from earlier runs; a fresh stack when omitted. */
    state?: ProviderState;
    /** The Kubernetes cluster's behaviour. @default every pod Ready, no load balancer */
    cluster?: ClusterModel;
    /** The AWS account. @default a fresh `newAwsAccount()` */
    aws?: AwsAccountModel;
}

/**
 * Installs Pulumi mocks that record every registered resource and answer as models of the
 * providers do (see randomModel.ts, clusterModel.ts, awsModel.ts): computed outputs come
 * from the models and the stack's state, never from echoing what the program asked for.
 * Call it before importing the code under test.
 */
export async function installMocks(opts: MockOptions = {}): Promise<RegisteredResource[]> {
    const registered: RegisteredResource[] = [];
    const state = opts.state ?? new ProviderState();
    const cluster = opts.cluster ?? {};
    const aws = opts.aws ?? newAwsAccount();
    if (opts.config) {
        pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
    }
    const eksClusterNames = () => registered.filter((r) => r.type === "aws:eks/cluster:Cluster").map((r) => r.outputs.name);
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const urn = `urn:pulumi:${opts.stack ?? "test"}::${opts.project ?? "model-services"}::${args.type}::${args.name}`;
                const secretPaths: string[] = [];
                const inputs = unwrapSecrets(args.inputs, "", secretPaths);
                const { id, outputs, op } = modelResource(state, urn, args, inputs, cluster, aws, eksClusterNames);
                registered.push({ type: args.type, name: args.name, urn, inputs, secretPaths, id, outputs: unwrapSecrets(outputs, "", []), op });
                return { id, state: outputs };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return awsInvoke(args.token, unwrapSecrets(args.inputs, "", []), aws);
            },
        },
        opts.project ?? "model-services",
        opts.stack ?? "test",
        false,
    );
    return registered;
}

/** One resource's ID, outputs and engine operation, from the provider models and the stored state. */
function modelResource(
    state: ProviderState,
    urn: string,
    args: pulumi.runtime.MockResourceArgs,
    inputs: Record<string, any>,
    cluster: ClusterModel,
    aws: AwsAccountModel,
    eksClusterNames: () => string[],
): { id: string; outputs: Record<string, unknown>; op: RegisteredResource["op"] } {
    const type = args.type;
    if (!args.custom || type.startsWith("pulumi:providers:")) {
        // Components and providers compute nothing.
        const { op } = state.register(urn, type, inputs, inputs, () => ({ id: `${args.name}-id`, identity: {} }));
        return { id: `${args.name}-id`, outputs: { ...args.inputs }, op };
    }
    if (type.startsWith("random:")) {
        const checked = checkedRandomInputs(type, inputs);
        const { stored, op } = state.register(urn, type, checked, inputs, () => {
            const { id, outputs } = createRandom(type, checked);
            return { id, identity: outputs };
        });
        // The provider marks generated passwords secret (additionalSecretOutputs).
        const generated = type === "random:index/randomPassword:RandomPassword" ? { result: secret(stored.identity.result), bcryptHash: secret(stored.identity.bcryptHash) } : stored.identity;
        return { id: stored.id, outputs: { ...args.inputs, ...checked, ...generated }, op };
    }
    if (type.startsWith("kubernetes:")) {
        const { stored, op } = state.register(urn, type, pick(inputs, ["metadata.name", "metadata.namespace"]), inputs, () => {
            const identity = createKubernetesIdentity(args.name, inputs);
            return { id: `${inputs.metadata?.namespace ? `${inputs.metadata.namespace}/` : ""}${identity.name}`, identity };
        });
        return { id: stored.id, outputs: kubernetesState(type, { ...args.inputs }, stored.identity, cluster), op };
    }
    if (type.startsWith("aws:")) {
        const { stored, op } = state.register(urn, type, pick(inputs, awsReplaceKeys[type] ?? []), inputs, () => {
            const { id, outputs } = createAwsIdentity(type, args.name, inputs, aws, eksClusterNames());
            return { id, identity: outputs };
        });
        return { id: stored.id, outputs: { ...args.inputs, ...stored.identity }, op };
    }
    throw new Error(`the mocks do not model ${type}`);
}

/** The plain value of an Output (or Input), awaited. */
export function valueOf<T>(input: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(input).apply((v) => resolve(v as T)));
}

/** Whether an Output is marked secret. */
export function isSecretOutput(o: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(o);
}

/** Every resource of one type token. */
export function ofType(registered: RegisteredResource[], type: string): RegisteredResource[] {
    return registered.filter((r) => r.type === type);
}

/** Waits until the program's registrations have settled. */
export function settle(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 50));
}
