import * as pulumi from "@pulumi/pulumi";

/** A resource the program registered, as the mocks saw it. */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    /** Inputs with Pulumi's secret wrappers removed. */
    inputs: Record<string, any>;
    /** Paths (`a.b[0]`) of the inputs that arrived as Pulumi secrets. */
    secretPaths: string[];
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

/**
 * Installs Pulumi mocks that record every registered resource. Call it before importing
 * the code under test. Random providers' results are made up deterministically from the
 * resource name, so secrets can be searched for in other resources' inputs.
 */
export async function installMocks(opts: { project?: string; stack?: string; config?: Record<string, string>; secretKeys?: string[] } = {}): Promise<RegisteredResource[]> {
    const registered: RegisteredResource[] = [];
    if (opts.config) {
        pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
    }
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const urn = `urn:pulumi:${opts.stack ?? "test"}::${opts.project ?? "model-services"}::${args.type}::${args.name}`;
                const secretPaths: string[] = [];
                const inputs = unwrapSecrets(args.inputs, "", secretPaths);
                registered.push({ type: args.type, name: args.name, urn, inputs, secretPaths });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...mockState({ ...args, inputs }) } };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        opts.project ?? "model-services",
        opts.stack ?? "test",
        false,
    );
    return registered;
}

/** Values a real provider would compute, for the resources whose outputs the components read. */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    switch (args.type) {
        case "random:index/randomPassword:RandomPassword":
            return { result: mockSecret(args.name, args.inputs.length ?? 32) };
        case "random:index/randomId:RandomId":
            return { hex: mockHex(args.name, (args.inputs.byteLength ?? 8) * 2) };
        case "aws:iam/role:Role":
            // IAM computes a role's ARN from the account and the (auto-named) role name.
            return { arn: `arn:aws:iam::123456789012:role/${args.name}-${mockHex(args.name, 7)}`, name: `${args.name}-${mockHex(args.name, 7)}` };
        case "kubernetes:apps/v1:Deployment":
            return { status: { replicas: args.inputs.spec?.replicas ?? 1, readyReplicas: args.inputs.spec?.replicas ?? 1, availableReplicas: args.inputs.spec?.replicas ?? 1 } };
        default:
            return {};
    }
}

/** A recognisable, deterministic stand-in for a generated secret. */
export function mockSecret(name: string, length: number): string {
    return `MOCKSECRET${mockHex(name, 24)}`.padEnd(length, "x").slice(0, Math.max(length, 34));
}

function mockHex(seed: string, length: number): string {
    let h = 2166136261;
    let out = "";
    while (out.length < length) {
        for (const c of seed + out.length) {
            h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
        }
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
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
