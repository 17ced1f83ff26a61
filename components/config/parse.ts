import { createHash } from "node:crypto";
import { z } from "zod";
import { didYouMean } from "./didYouMean";
import { reservedEngineFlag } from "./engineFlags";
import { ConfigError, configNamespace, formatPath, IssueList, quoted } from "./issues";
import { resolveNodeGroups } from "./nodeGroups";
import { defaultGatewayServiceType, defaults, NodeGroupKind, secretEnvPattern, ServiceTask } from "./rules";
import { configSchema, RawConfig, splitLeafMessage } from "./schema";
import { ApiKeyConfig, ClusterConfig, GatewayConfig, PlatformConfig, ServiceConfig } from "./types";

export interface ParseContext {
    /** Stack name; the default owner derives from it. */
    stack: string;
    /** Project name. @default "model-services" */
    project?: string;
    /** Config keys whose value is a Pulumi secret (without the namespace). */
    secretKeys?: ReadonlySet<string>;
}

/**
 * Parses and validates the `model-services:*` keys of a stack's config: types and ranges
 * (zod), unknown keys with a did-you-mean, cross-references, with every default resolved.
 * Returns the resolved config or throws one `ConfigError` listing every problem. What GPUs
 * it needs and whether they fit is the planner's (`planPlatform`, or `loadPlatform` for both).
 *
 * @param raw the namespace's keys without the `model-services:` prefix, values already
 *   JSON-decoded (see `readStackConfig`).
 */
export function parseConfig(raw: Record<string, unknown>, ctx: ParseContext): PlatformConfig {
    const issues = new IssueList();
    const parsed = configSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            reportZodIssue(issues, issue, raw);
        }
        throw new ConfigError(issues.issues);
    }
    if (parsed.data.huggingFaceToken !== undefined && ctx.secretKeys && !ctx.secretKeys.has("huggingFaceToken")) {
        issues.add("huggingFaceToken", "[plaintext]", "is stored in plain text", "set it as a secret: pulumi config set --secret huggingFaceToken <token>");
    }
    const config = resolve(parsed.data, ctx, issues);
    if (!issues.empty) {
        throw new ConfigError(issues.issues);
    }
    return config;
}

/** The default access-name owner of a stack: stable, short and not guessable from the stack name alone. */
export function defaultOwner(project: string, stack: string): string {
    return `u-${createHash("sha256").update(`${project}/${stack}`).digest("hex").slice(0, 12)}`;
}

function resolve(raw: RawConfig, ctx: ParseContext, issues: IssueList): PlatformConfig {
    const project = ctx.project ?? configNamespace;
    const cluster: ClusterConfig =
        raw.cluster.kind === "eks"
            ? {
                  kind: "eks",
                  name: raw.cluster.name,
                  create: raw.cluster.create ?? true,
                  version: raw.cluster.version ?? defaults.eksVersion,
                  subnetIds: raw.cluster.subnetIds,
                  region: raw.cluster.region ?? defaults.region,
              }
            : {
                  kind: "kubeconfig",
                  context: raw.cluster.context,
                  kubeconfig: raw.cluster.kubeconfig,
                  nvidiaDevicePlugin: raw.cluster.nvidiaDevicePlugin ?? defaults.kubeconfigDevicePlugin,
                  simulated: raw.cluster.simulated ?? false,
              };
    if (raw.keyStore?.awsSecretsManager && cluster.kind !== "eks") {
        issues.add("keyStore.awsSecretsManager", true, "needs an EKS cluster", "set it to false, or use cluster.kind eks");
    }

    const nodeGroups = resolveNodeGroups(raw.nodeGroups, issues);
    reportDuplicates(issues, raw.nodeGroups.map((g) => g.name), (i) => `nodeGroups[${i}].name`, "node group");
    const groupNames = nodeGroups.filter((g) => g.kind === NodeGroupKind.Gpu).map((g) => g.name);
    const cpuGroupNames = nodeGroups.filter((g) => g.kind === NodeGroupKind.Cpu).map((g) => g.name);

    const services = (raw.services ?? []).map((s, i): ServiceConfig => {
        const path = `services[${i}]`;
        let nodeGroup = s.nodeGroup;
        if (nodeGroup === undefined) {
            if (groupNames.length === 1) {
                nodeGroup = groupNames[0];
            } else {
                issues.add(`${path}.nodeGroup`, undefined, `is required when there are ${groupNames.length} GPU node groups`, groupNames.length ? `set it to one of ${quoted(groupNames)}` : "add a GPU node group");
            }
        } else if (cpuGroupNames.includes(nodeGroup)) {
            issues.add(`${path}.nodeGroup`, nodeGroup, "is a CPU node group; model services need GPUs", groupNames.length ? `use one of ${quoted(groupNames)}` : "add a GPU node group and name it here");
        } else if (!groupNames.includes(nodeGroup)) {
            issues.add(`${path}.nodeGroup`, nodeGroup, "names no node group", didYouMean(nodeGroup, groupNames) ?? `use one of ${quoted(groupNames)}`);
        }
        for (const [j, arg] of (s.engineArgs ?? []).entries()) {
            const reserved = reservedEngineFlag(arg);
            if (reserved) {
                issues.add(`${path}.engineArgs[${j}]`, arg, `sets ${reserved.flag}, which the platform sets itself`, reserved.fix);
            }
        }
        for (const key of Object.keys(s.env ?? {})) {
            if (secretEnvPattern.test(key)) {
                issues.add(`${path}.env.${key}`, "[redacted]", "looks like a credential in a plain environment variable", "credentials belong in Secrets: set the Hugging Face token with `pulumi config set --secret huggingFaceToken …`, or mount your own Secret");
            }
        }
        if (s.task === ServiceTask.ImageGeneration && s.maxModelLen !== undefined) {
            issues.add(`${path}.maxModelLen`, s.maxModelLen, "does not apply to image-generation services", "remove maxModelLen from this service");
        }
        return {
            name: s.name,
            displayName: s.displayName ?? s.name,
            model: s.model,
            instances: s.instances,
            gpus: s.gpus,
            nodeGroup: nodeGroup ?? "",
            task: s.task ?? defaults.task,
            maxModelLen: s.maxModelLen,
            image: s.image,
            engineArgs: s.engineArgs ?? [],
            env: s.env ?? {},
            dtype: s.dtype ?? defaults.dtype,
            quantization: s.quantization,
            gpuMemoryUtilization: s.gpuMemoryUtilization ?? defaults.gpuMemoryUtilization,
            architecture: s.architecture,
        };
    });
    reportDuplicates(issues, services.map((s) => s.name), (i) => `services[${i}].name`, "service");
    const serviceNames = services.map((s) => s.name);

    const apiKeys = (raw.apiKeys ?? []).map((k, i): ApiKeyConfig => {
        const path = `apiKeys[${i}].services`;
        if (k.services.includes("*") && k.services.length > 1) {
            issues.add(path, k.services, '"*" already means every service', 'write ["*"] alone, or list the services');
        }
        for (const [j, name] of k.services.entries()) {
            if (name !== "*" && !serviceNames.includes(name)) {
                const fallback = serviceNames.length ? `use one of ${quoted(serviceNames)} or "*"` : "add the service first, or remove it from the key";
                issues.add(`${path}[${j}]`, name, "names no service", didYouMean(name, serviceNames) ?? fallback);
            }
        }
        reportDuplicates(issues, k.services, (j) => `${path}[${j}]`, "service of this key");
        return { name: k.name, services: k.services, rotation: k.rotation ?? defaults.rotation, requestsPerMinute: k.requestsPerMinute };
    });
    reportDuplicates(issues, apiKeys.map((k) => k.name), (i) => `apiKeys[${i}].name`, "API key");

    const gateway: GatewayConfig = {
        replicas: raw.gateway?.replicas ?? defaults.gatewayReplicas,
        serviceType: raw.gateway?.serviceType ?? defaultGatewayServiceType(cluster.kind),
        hostname: raw.gateway?.hostname,
        tls: raw.gateway?.tls,
        maxRequestBodyMiB: raw.gateway?.maxRequestBodyMiB ?? defaults.maxRequestBodyMiB,
        image: raw.gateway?.image,
    };

    return {
        owner: raw.owner ?? defaultOwner(project, ctx.stack),
        namespace: raw.namespace ?? defaults.namespace,
        cluster,
        nodeGroups,
        services,
        apiKeys,
        gateway,
        keyStore: { awsSecretsManager: raw.keyStore?.awsSecretsManager ?? defaults.awsSecretsManager },
    };
}



function reportDuplicates(issues: IssueList, names: string[], pathOf: (i: number) => string, what: string): void {
    const first = new Map<string, number>();
    names.forEach((name, i) => {
        const earlier = first.get(name);
        if (earlier === undefined) {
            first.set(name, i);
        } else {
            issues.add(pathOf(i), name, `duplicates ${pathOf(earlier)}`, `give each ${what} a unique name`);
        }
    });
}

function reportZodIssue(issues: IssueList, issue: z.core.$ZodIssue, raw: Record<string, unknown>): void {
    const path = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeysAt(issue.path, raw);
        for (const key of issue.keys) {
            const keyPath = path ? `${path}.${key}` : key;
            issues.add(
                keyPath,
                undefined,
                "is not a known key",
                didYouMean(key, allowed) ?? `known keys here: ${allowed.join(", ")}`,
            );
        }
        return;
    }
    const message = issue.code === "invalid_key" && issue.issues.length > 0 ? issue.issues[0].message : issue.message;
    const { expected, fix } = splitLeafMessage(message);
    const value = valueAt(raw, issue.path);
    if (value === undefined) {
        issues.add(path, undefined, `is missing; expected ${expected}`, fix);
    } else if (issue.code === "invalid_key") {
        issues.add(path, undefined, `has a bad key; expected ${expected}`, fix);
    } else {
        issues.add(path, value, `expected ${expected}`, fix);
    }
}

/** The keys the schema allows for the object at `path` (the raw value picks the branch of a union). */
function allowedKeysAt(path: PropertyKey[], raw: Record<string, unknown>): string[] {
    let schema: z.ZodType = configSchema;
    let value: unknown = raw;
    const unwrap = (s: z.ZodType): z.ZodType => {
        let current = s;
        for (;;) {
            const def = current.def as { type: string; innerType?: z.ZodType };
            if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) {
                current = def.innerType;
            } else {
                return current;
            }
        }
    };
    const branch = (s: z.ZodType, v: unknown): z.ZodType => {
        const def = s.def as { type: string; options?: z.ZodType[]; discriminator?: string };
        if (def.type !== "union" || !def.options) {
            return s;
        }
        const kind = (v as Record<string, unknown> | undefined)?.[def.discriminator ?? ""];
        return def.options.find((o) => (o as z.ZodObject).shape?.[def.discriminator ?? ""]?.def?.values?.includes(kind)) ?? def.options[0];
    };
    schema = branch(unwrap(schema), value);
    for (const segment of path) {
        value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
        const def = schema.def as { type: string; element?: z.ZodType };
        if (def.type === "array" && def.element) {
            schema = def.element;
        } else if (def.type === "object") {
            schema = (schema as z.ZodObject).shape[String(segment)] as z.ZodType;
        } else {
            return [];
        }
        schema = branch(unwrap(schema), value);
    }
    return schema.def.type === "object" ? Object.keys((schema as z.ZodObject).shape) : [];
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
    let value = raw;
    for (const segment of path) {
        if (value === null || typeof value !== "object") {
            return undefined;
        }
        value = (value as Record<PropertyKey, unknown>)[segment];
    }
    return value;
}



