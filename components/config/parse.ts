import { createHash } from "node:crypto";
import { didYouMean } from "./didYouMean";
import { resolveGateway } from "./gateway";
import { checkKeyServices, reportDuplicates } from "./keyScope";
import { ConfigError, configNamespace, IssueList, quoted } from "./issues";
import { ModelSourceKind } from "./modelSource";
import { resolveAdapters, resolveModelAccess, resolveModelCache, resolveSource } from "./modelServices";
import { resolveNodeGroups } from "./nodeGroups";
import { resolvePlayground } from "./playground";
import { AutoscaleMetric, defaultAutoscaleTargets, defaults, NodeGroupKind } from "./rules";
import { configSchema, RawConfig } from "./schema";
import { checkServiceSettings } from "./serviceRules";
import { ApiKeyConfig, AutoscaleConfig, ClusterConfig, PlatformConfig, ServiceConfig } from "./types";
import { reportZodIssue } from "./zodIssues";

export interface ParseContext {
    /** Stack name; the default owner derives from it. */
    stack: string;
    /** Project name. @default "model-services" */
    project?: string;
    /** Config keys whose value is a Pulumi secret (without the namespace). */
    secretKeys?: ReadonlySet<string>;
    /** The time grace periods are measured against. @default the current time */
    now?: Date;
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
    const parsed = configSchema.safeParse(raw);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            reportZodIssue(issues, issue, raw, configSchema);
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

    const modelAccess = resolveModelAccess(raw.modelAccess, cluster, issues);
    const services = (raw.services ?? []).map((s, i): ServiceConfig => {
        const path = `services[${i}]`;
        const isAdapter = s.base !== undefined;
        let nodeGroup = s.nodeGroup;
        if (isAdapter) {
            // Runs in its base's pods: resolveAdapters fills in the base's settings.
        } else if (nodeGroup === undefined) {
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
        checkServiceSettings(issues, path, s);
        if (!isAdapter && s.model === undefined) {
            issues.add(`${path}.model`, undefined, "is missing; expected a model source such as Qwen/Qwen3-8B", "name the model by its Hugging Face id, an s3://bucket/prefix URI or a pvc://claim/path");
        }
        // An adapter runs in its base's pods: neither instances nor autoscale (resolveAdapters reports either).
        const autoscale = isAdapter ? undefined : resolveAutoscale(s, path, issues);
        if (!isAdapter && s.adapter !== undefined) {
            issues.add(`${path}.adapter`, s.adapter, "needs base: an adapter runs in another service's pods", "set base to that service's name, or remove adapter");
        }
        if (!isAdapter && s.rank !== undefined) {
            issues.add(`${path}.rank`, s.rank, "is an adapter's LoRA rank; this service has no base", "remove rank (maxLoraRank sizes the adapters a base serves), or set base and adapter");
        }
        const source = !isAdapter && s.model !== undefined ? resolveSource(s.model, `${path}.model`, modelAccess, issues) : undefined;
        const adapter = isAdapter && s.adapter !== undefined ? resolveSource(s.adapter, `${path}.adapter`, modelAccess, issues) : undefined;
        const pinned = isAdapter ? adapter : source;
        if (s.revision !== undefined && pinned && pinned.kind !== ModelSourceKind.HuggingFace) {
            issues.add(`${path}.revision`, s.revision, `pins Hugging Face sources only, not ${pinned.kind} ones`, "remove revision");
        }
        const groupIndex = nodeGroups.findIndex((g) => g.name === nodeGroup);
        return {
            name: s.name,
            displayName: s.displayName ?? s.name,
            model: s.model ?? "",
            source: source ?? { kind: ModelSourceKind.Path, uri: s.model ?? "" },
            revision: s.revision,
            base: s.base,
            adapter,
            rank: s.rank,
            maxLoraRank: s.maxLoraRank,
            modelCache: isAdapter
                ? { kind: defaults.modelCacheKind, sizeGiB: defaults.modelCacheGiB, scope: `service/${s.name}` }
                : resolveModelCache(s.modelCache, nodeGroups[groupIndex], groupIndex, s.name, path, cluster, issues),
            instances: autoscale ? autoscale.min : (s.instances ?? 0),
            autoscale,
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
    resolveAdapters(raw.services ?? [], services, issues);
    const serviceNames = services.map((s) => s.name);

    const apiKeys = (raw.apiKeys ?? []).map((k, i): ApiKeyConfig => {
        checkKeyServices(issues, `apiKeys[${i}].services`, k.services, serviceNames);
        const rotation = k.rotation ?? defaults.rotation;
        const until = k.previousKeyValidUntil === undefined ? undefined : Date.parse(k.previousKeyValidUntil);
        if (until !== undefined && Number.isNaN(until)) {
            issues.add(`apiKeys[${i}].previousKeyValidUntil`, k.previousKeyValidUntil, "is not a real time", "give the end of the grace period in UTC, e.g. 2026-12-01T12:00:00Z");
        } else if (until !== undefined && rotation === 0) {
            issues.add(`apiKeys[${i}].previousKeyValidUntil`, k.previousKeyValidUntil, "has no previous key to keep: the key was never rotated", "bump rotation to rotate the key, or remove previousKeyValidUntil");
        }
        const keepPrevious = until !== undefined && rotation > 0 && until > (ctx.now ?? new Date()).getTime();
        return { name: k.name, services: k.services, rotation, requestsPerMinute: k.requestsPerMinute, previousKeyValidUntil: k.previousKeyValidUntil, keepPrevious };
    });
    reportDuplicates(issues, apiKeys.map((k) => k.name), (i) => `apiKeys[${i}].name`, "API key");

    const playground = resolvePlayground(raw.playground, serviceNames, apiKeys.map((k) => k.name), issues);
    const gateway = resolveGateway(raw.gateway, cluster.kind, issues);
    for (const key of apiKeys) {
        // No key is unlimited: one without its own limit gets the gateway's default.
        key.requestsPerMinute ??= gateway.defaultRequestsPerMinute;
    }

    const autoscaling = { keda: raw.autoscaling?.keda ?? defaults.kedaMode, prometheusUrl: raw.autoscaling?.prometheusUrl };
    const firstAutoscaled = services.findIndex((s) => s.autoscale);
    if (firstAutoscaled >= 0 && autoscaling.prometheusUrl === undefined) {
        issues.add(
            "autoscaling.prometheusUrl",
            undefined,
            `is missing, and services[${firstAutoscaled}].autoscale needs a Prometheus that scrapes vLLM and the gateway for KEDA to query`,
            "set it to your Prometheus, e.g. http://prometheus-operated.monitoring.svc:9090 (monitoring.prometheusOperator: true makes a Prometheus Operator scrape the pods)",
        );
    }

    return {
        owner: raw.owner ?? defaultOwner(project, ctx.stack),
        namespace: raw.namespace ?? defaults.namespace,
        cluster,
        nodeGroups,
        services,
        apiKeys,
        gateway,
        keyStore: { awsSecretsManager: raw.keyStore?.awsSecretsManager ?? defaults.awsSecretsManager },
        metricsScraper: raw.metricsScraper,
        autoscaling,
        monitoring: {
            prometheusOperator: raw.monitoring?.prometheusOperator ?? defaults.prometheusOperator,
            grafanaDashboard: raw.monitoring?.grafanaDashboard ?? defaults.grafanaDashboard,
        },
        modelAccess,
        playground,
    };
}

/** A service's `autoscale` with its defaults, or undefined; `instances` and `autoscale` exclude each other. */
function resolveAutoscale(s: NonNullable<RawConfig["services"]>[number], path: string, issues: IssueList): AutoscaleConfig | undefined {
    if (s.autoscale === undefined) {
        if (s.instances === undefined) {
            issues.add(`${path}.instances`, undefined, "is missing; expected a whole number ≥ 0", "set how many instances to run (0 stops the service), or set autoscale: {min, max} to scale on load");
        }
        return undefined;
    }
    if (s.instances !== undefined) {
        issues.add(`${path}.instances`, s.instances, "is set together with autoscale, which decides the instances", "remove instances, or remove autoscale for a fixed count");
    }
    const { min, max } = s.autoscale;
    if (min > max) {
        issues.add(`${path}.autoscale.min`, min, `is larger than autoscale.max (${max})`, `lower min to at most ${max} or raise max`);
    }
    const metric = s.autoscale.metric ?? defaults.autoscaleMetric;
    const target = s.autoscale.target ?? defaultAutoscaleTargets[metric];
    if (metric === AutoscaleMetric.KvCache && target > 1) {
        issues.add(`${path}.autoscale.target`, target, "is more than 1, but KV-cache usage is a fraction from 0 to 1", "set a fraction such as 0.8");
    }
    return { min, max, metric, target, scaleDownDelaySeconds: s.autoscale.scaleDownDelaySeconds ?? defaults.scaleDownDelaySeconds };
}


