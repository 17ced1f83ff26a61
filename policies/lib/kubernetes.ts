import { gpuResource } from "../../components/conventions";
import { isUnknown, list, num, plain, record, str, strings, UnknownValue, unknownValue } from "./values";

/**
 * The Kubernetes shapes the policies read, from a resource's properties as they would be
 * created (a `kubernetes:*` resource's inputs, or its outputs in a stack policy: the same
 * object plus what the API server adds).
 */

export const typeTokens = {
    pod: "kubernetes:core/v1:Pod",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    replicationController: "kubernetes:core/v1:ReplicationController",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    secretPatch: "kubernetes:core/v1:SecretPatch",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
} as const;

/** Where each workload kind keeps its pod template and how many pods it runs. */
const workloadShapes: Record<string, { template: string[]; replicas?: string[] }> = {
    [typeTokens.deployment]: { template: ["spec", "template"], replicas: ["spec", "replicas"] },
    [typeTokens.statefulSet]: { template: ["spec", "template"], replicas: ["spec", "replicas"] },
    [typeTokens.replicaSet]: { template: ["spec", "template"], replicas: ["spec", "replicas"] },
    [typeTokens.replicationController]: { template: ["spec", "template"], replicas: ["spec", "replicas"] },
    // One pod per matching node: no replica count.
    [typeTokens.daemonSet]: { template: ["spec", "template"] },
    [typeTokens.job]: { template: ["spec", "template"], replicas: ["spec", "parallelism"] },
    [typeTokens.cronJob]: { template: ["spec", "jobTemplate", "spec", "template"], replicas: ["spec", "jobTemplate", "spec", "parallelism"] },
};

export type Labels = Record<string, string>;

/** A Kubernetes object, as the policies name it in messages. */
export interface KubernetesObject {
    /** `Deployment`, `Service`, … */
    kind: string;
    /** `metadata.name`, else the Pulumi resource name (Pulumi generates the object name from it). */
    name: string;
    /** `metadata.namespace`; undefined when absent (the provider's default), `unknownValue` in a preview. */
    namespace: string | undefined | UnknownValue;
    labels: Labels | UnknownValue;
}

/** A Pod or a workload with a pod template. */
export interface Workload extends KubernetesObject {
    type: string;
    /** Labels of its pods. */
    podLabels: Labels | UnknownValue;
    /** The pod spec (plain), or `unknownValue`. */
    podSpec: Record<string, any> | UnknownValue;
    /** Pods it runs: `spec.replicas` (default 1), 1 for a Pod, undefined for a DaemonSet or when unknown. */
    replicas: number | undefined;
    /** The workload's own selector (`spec.selector`); its pods carry at least these labels. */
    selector: LabelSelector | undefined | UnknownValue;
}

export interface LabelSelector {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Container {
    name: string;
    /** `container` or `init container`, for messages. */
    role: string;
    spec: Record<string, any>;
}

/** The kind of a Kubernetes type token (`kubernetes:apps/v1:Deployment` → `Deployment`). */
export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/**
 * A Kubernetes object, not one of the provider's components that render objects from YAML,
 * Kustomize or Helm (`kubernetes:yaml:ConfigGroup`, `kubernetes:yaml/v2:ConfigFile`,
 * `kubernetes:kustomize/v2:Directory`, `kubernetes:helm.sh/v4:Chart`, …): each object they
 * render is registered, and checked, on its own.
 */
export function isKubernetes(type: string): boolean {
    return type.startsWith("kubernetes:") && !/^kubernetes:(yaml|kustomize|helm\.sh)(\/v\d+)?:/.test(type);
}

function labelsOf(value: unknown): Labels | UnknownValue {
    if (isUnknown(value)) {
        return unknownValue;
    }
    const r = record(value) ?? {};
    if (Object.values(r).some(isUnknown)) {
        return unknownValue;
    }
    return r as Labels;
}

function at(value: unknown, path: string[]): unknown {
    let v = value;
    for (const key of path) {
        if (isUnknown(v)) {
            return unknownValue;
        }
        v = record(v)?.[key];
    }
    return v;
}

/** A Kubernetes resource's object identity, from plain properties; undefined for other providers. */
export function kubernetesObject(type: string, props: Record<string, any>, resourceName: string): KubernetesObject | undefined {
    if (!isKubernetes(type)) {
        return undefined;
    }
    const metadata = props.metadata;
    const name = at(metadata, ["name"]);
    const namespace = at(metadata, ["namespace"]);
    return {
        kind: kindOf(type),
        name: typeof name === "string" ? name : resourceName,
        namespace: isUnknown(namespace) ? unknownValue : str(namespace),
        labels: labelsOf(at(metadata, ["labels"])),
    };
}

/** The workload view of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob. */
export function workload(type: string, props: Record<string, any>, resourceName: string): Workload | undefined {
    const object = kubernetesObject(type, props, resourceName);
    if (!object) {
        return undefined;
    }
    if (type === typeTokens.pod) {
        const spec = props.spec;
        return {
            ...object,
            type,
            podLabels: object.labels,
            podSpec: isUnknown(spec) ? unknownValue : (record(spec) ?? {}),
            replicas: 1,
            selector: undefined,
        };
    }
    const shape = workloadShapes[type];
    if (!shape) {
        return undefined;
    }
    const template = at(props, shape.template);
    const spec = at(template, ["spec"]);
    const replicas = shape.replicas ? at(props, shape.replicas) : undefined;
    const selector = at(props, ["spec", "selector"]);
    return {
        ...object,
        type,
        podLabels: labelsOf(at(template, ["metadata", "labels"])),
        podSpec: isUnknown(spec) ? unknownValue : (record(spec) ?? {}),
        replicas: shape.replicas ? (replicas === undefined ? 1 : num(replicas)) : undefined,
        selector: labelSelector(selector),
    };
}

/** A `LabelSelector` from plain properties: undefined when absent, `unknownValue` when not known yet. */
export function labelSelector(value: unknown): LabelSelector | undefined | UnknownValue {
    if (isUnknown(value)) {
        return unknownValue;
    }
    const r = record(value);
    if (!r) {
        return undefined;
    }
    const matchLabels = labelsOf(r.matchLabels);
    if (isUnknown(matchLabels) || isUnknown(r.matchExpressions)) {
        return unknownValue;
    }
    return {
        matchLabels,
        matchExpressions: list(r.matchExpressions).map((e) => ({ key: str(e?.key) ?? "", operator: str(e?.operator) ?? "", values: strings(e?.values) })),
    };
}

/** `Deployment "vllm-test"`. */
export function describe(object: Pick<KubernetesObject, "kind" | "name">): string {
    return `${object.kind} "${object.name}"`;
}

/** The containers and init containers of a pod spec. */
export function containers(podSpec: Record<string, any>): Container[] {
    const of = (field: string, role: string) =>
        list(podSpec[field])
            .map((c, i) => ({ c: record(c), i }))
            .filter((x): x is { c: Record<string, any>; i: number } => x.c !== undefined)
            .map(({ c, i }) => ({ name: str(c.name) ?? `#${i}`, role, spec: c }));
    return [...of("containers", "container"), ...of("initContainers", "init container")];
}

/** `container "vllm" of Deployment "vllm-test"`. */
export function describeContainer(container: Container, object: Pick<KubernetesObject, "kind" | "name">): string {
    return `${container.role} "${container.name}" of ${describe(object)}`;
}

/**
 * The workload a resource validation is about, from its (proxied) properties; undefined for
 * other resources and while its pod spec is not known yet (a preview checks it again at `up`).
 */
export function workloadOfResource(args: { type: string; props: Record<string, any>; name: string }): (Workload & { podSpec: Record<string, any> }) | undefined {
    const w = workload(args.type, plain(args.props), args.name);
    return w && !isUnknown(w.podSpec) ? (w as Workload & { podSpec: Record<string, any> }) : undefined;
}

/** The image without its tag or digest (`docker.io/vllm/vllm-openai:v0.26.0` → `docker.io/vllm/vllm-openai`). */
export function imageRepository(image: string): string {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.indexOf(":", lastSlash + 1);
    return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

/** The words of a container's command and arguments (shell strings split on whitespace). */
export function commandWords(container: Container): string[] {
    return [...strings(container.spec.command), ...strings(container.spec.args)].flatMap((s) => s.split(/\s+/)).filter((w) => w !== "");
}

/** vLLM's OpenAI-compatible server: the official images (any registry), `vllm serve`, or its api_server module. */
export function isVllmContainer(container: Container): boolean {
    const words = commandWords(container);
    if (words.some((w, i) => /(^|\/)vllm$/.test(w) && words[i + 1] === "serve") || words.includes("vllm.entrypoints.openai.api_server")) {
        return true;
    }
    // The images' entrypoint is the server; a container that overrides the command (a model download step) is not one.
    const image = str(container.spec.image);
    return image !== undefined && /(^|\/)vllm\/vllm-(openai|omni)$/.test(imageRepository(image)) && strings(container.spec.command).length === 0;
}

/** The value of a command-line flag (`--flag v` or `--flag=v`), the last one winning as in argparse. */
export function flagValue(words: string[], ...flags: string[]): string | undefined {
    let value: string | undefined;
    words.forEach((w, i) => {
        for (const flag of flags) {
            if (w === flag && i + 1 < words.length) {
                value = words[i + 1];
            } else if (w.startsWith(`${flag}=`)) {
                value = w.slice(flag.length + 1);
            }
        }
    });
    return value;
}

/** The resources entry of a container (`requests` or `limits`), plain; `unknownValue` when unknown. */
export function resourceList(container: Container, field: "requests" | "limits"): Record<string, unknown> | UnknownValue {
    const resources = container.spec.resources;
    if (isUnknown(resources)) {
        return unknownValue;
    }
    const entry = record(resources)?.[field];
    if (isUnknown(entry)) {
        return unknownValue;
    }
    return record(entry) ?? {};
}

/** GPUs a container asks for (`nvidia.com/gpu` limit, else request); 0 when none, undefined when unknown. */
export function containerGpus(container: Container): number | undefined {
    const limits = resourceList(container, "limits");
    const requests = resourceList(container, "requests");
    if (isUnknown(limits) || isUnknown(requests) || isUnknown(limits[gpuResource]) || isUnknown(requests[gpuResource])) {
        return undefined;
    }
    return num(limits[gpuResource]) ?? num(requests[gpuResource]) ?? 0;
}

/** A Service's selector (`spec.selector`), or undefined when it has none or when it, or one of its values, is not known until the update. */
export function serviceSelector(spec: Record<string, any>): Labels | undefined {
    const selector = spec.selector;
    return isUnknown(selector) || Object.values(record(selector) ?? {}).some(isUnknown) ? undefined : (record(selector) as Labels | undefined);
}

/** Whether a Service's selector (a plain map of labels) selects a label set: an empty one selects nothing. */
export function serviceSelects(selector: Labels, labels: Labels): boolean {
    const entries = Object.entries(selector);
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** Whether a `LabelSelector` selects a label set: an empty one selects everything. */
export function selects(selector: LabelSelector, labels: Labels): boolean {
    return (
        Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
        (selector.matchExpressions ?? []).every((e) => {
            const has = e.key in labels;
            switch (e.operator) {
                case "In":
                    return has && (e.values ?? []).includes(labels[e.key]);
                case "NotIn":
                    return !has || !(e.values ?? []).includes(labels[e.key]);
                case "Exists":
                    return has;
                case "DoesNotExist":
                    return !has;
                default:
                    return false;
            }
        })
    );
}

/**
 * The labels a workload's pods are known to carry: the template's labels, or, when those
 * are not known yet (a preview), the workload selector's `matchLabels`, which the API server
 * requires the template to carry. Undefined when neither is known.
 */
export function knownPodLabels(w: Workload): Labels | undefined {
    if (!isUnknown(w.podLabels)) {
        return w.podLabels;
    }
    if (w.selector !== undefined && !isUnknown(w.selector)) {
        return w.selector.matchLabels ?? {};
    }
    return undefined;
}

/** Whether two namespaces may be the same (unknown ones may); absent means the provider's default. */
export function sameNamespace(a: string | undefined | UnknownValue, b: string | undefined | UnknownValue): boolean {
    return isUnknown(a) || isUnknown(b) || (a ?? "default") === (b ?? "default");
}
