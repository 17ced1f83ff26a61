import { z } from "zod";
import {
    AutoscaleMetric,
    CapacityType,
    dnsName,
    enumValues,
    envName,
    AmiType,
    GatewayLoadBalancerScheme,
    GatewayServiceType,
    huggingFaceRevision,
    loraRankChoices,
    KedaMode,
    maxOwnerLength,
    ModelCacheKind,
    maxServiceNameLength,
    Quantization,
    ranges,
    rfc1035Label,
    rfc1123Label,
    S3AccessMode,
    ServiceTask,
    WeightsDtype,
    acmCertificateArn,
    ipv4Cidr,
    isoUtcTime,
} from "./rules";

/**
 * The zod schema of a stack's `model-services:*` config keys: structure, types and ranges
 * of single values. Cross-references (a service's node group, a key's services) and
 * capacity are checked afterwards (`parse.ts`, then the planner), which also turns zod's issues into the
 * project's messages.
 *
 * Every leaf carries its own message as `expected<TAB>fix`, so a problem reads
 * `<path>: expected …, got <value>. <fix>` whatever zod's own wording is.
 */

const SEP = "\t";

/**
 * Encodes a leaf's message; `parse.ts` splits it again. A leaf gives it once, to the schema:
 * zod applies a schema's own error to the issues of its checks too (`min`, `regex`, `int`…).
 */
export function leafMessage(expected: string, fix: string): string {
    return `${expected}${SEP}${fix}`;
}

export function splitLeafMessage(message: string): { expected: string; fix?: string } {
    const at = message.indexOf(SEP);
    return at < 0 ? { expected: message } : { expected: message.slice(0, at), fix: message.slice(at + 1) };
}

function text(expected: string, fix: string) {
    const error = leafMessage(expected, fix);
    return z.string({ error }).min(1);
}

function pattern(re: RegExp, expected: string, fix: string, maxLength = 63) {
    const error = leafMessage(expected, fix);
    return z.string({ error }).max(maxLength).regex(re);
}

function wholeNumber(min: number, fix: string, max?: number) {
    const expected = max === undefined ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
    const error = leafMessage(expected, fix);
    const n = z.number({ error }).int().min(min);
    return max === undefined ? n : n.max(max);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fix: string) {
    const error = leafMessage(`one of ${values.map((v) => `"${v}"`).join(", ")}`, fix);
    return z.enum(values, { error });
}

function fraction(range: { min: number; max: number }, fix: string) {
    const error = leafMessage(`a fraction between ${range.min} and ${range.max}`, fix);
    return z.number({ error }).min(range.min).max(range.max);
}

function bool(fix: string) {
    return z.boolean({ error: leafMessage("true or false", fix) });
}

function list<T extends z.ZodType>(element: T, what: string) {
    return z.array(element, { error: leafMessage(`a list of ${what}`, `write it as a YAML list (- item)`) });
}

function object<T extends z.ZodRawShape>(shape: T, what: string) {
    return z.strictObject(shape, { error: leafMessage(`a mapping of ${what}`, "write it as a YAML mapping (key: value)") });
}

// The two kinds of cluster: strict objects without a message of their own, since a value that is
// no mapping fails at the union, whose message says what to write.
const eksCluster = z.strictObject({
    kind: z.literal("eks"),
    name: pattern(rfc1123Label, "an EKS cluster name (lowercase letters, digits and '-', ≤ 63)", "name the cluster, e.g. model-services", 100),
    create: bool("true creates the cluster; false uses an existing cluster of that name").optional(),
    version: pattern(/^1\.\d{2}$/, 'a Kubernetes minor version such as "1.34"', "quote it in YAML so it stays a string", 5).optional(),
    subnetIds: list(pattern(/^subnet-[0-9a-f]{8,17}$/, "a subnet id (subnet-…)", "copy the ids from the VPC console"), "subnet ids").optional(),
    region: pattern(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-east-1", "name the region the prices should come from").optional(),
});

const kubeconfigCluster = z.strictObject({
    kind: z.literal("kubeconfig"),
    context: text("a kubeconfig context name", "run `kubectl config get-contexts` to list them").optional(),
    kubeconfig: text("a path to a kubeconfig file", "give the file's path, or leave it out to use $KUBECONFIG").optional(),
    nvidiaDevicePlugin: bool("true deploys NVIDIA's device plugin; leave it false when the cluster already has it (GPU Operator)").optional(),
    simulated: bool("true on a KWOK cluster: the stack creates the node groups' nodes itself").optional(),
});

// Keep unions discriminated: an unknown key's message picks the branch by its discriminator (zodIssues.ts).
export const clusterSchema = z.discriminatedUnion("kind", [eksCluster, kubeconfigCluster], {
    error: leafMessage('a mapping with kind "eks" or "kubeconfig"', "set cluster.kind to eks (Amazon EKS) or kubeconfig (an existing cluster)"),
});

/** A model cache, per node group or per service (`docs/models.md`). */
export const modelCacheSchema = object(
    {
        kind: oneOf(enumValues(ModelCacheKind), "pick emptyDir (per pod), node-local (instance-store NVMe) or shared (a ReadWriteMany volume)"),
        sizeGiB: wholeNumber(ranges.modelCacheGiB.min, "give the cache size in GiB (room for every model it holds)", ranges.modelCacheGiB.max).optional(),
        hostPath: pattern(/^\/[^\0]*$/, "an absolute directory path on the node", "e.g. /mnt/k8s-disks/0/model-cache", 253).optional(),
        storageClass: pattern(rfc1123Label, "the name of a ReadWriteMany StorageClass", "run `kubectl get storageclass` (EFS: efs.csi.aws.com, FSx for Lustre: fsx.csi.aws.com)", 253).optional(),
    },
    "model cache settings",
);

export const nodeGroupSchema = object(
    {
        name: pattern(rfc1123Label, "a DNS-1123 label (lowercase letters, digits and '-', ≤ 63)", "rename the node group, e.g. gpu-l40s"),
        instanceType: pattern(/^[a-z0-9-]+\.[a-z0-9-]+$/, "an EC2 instance type such as g6e.xlarge", "pick a GPU or CPU instance type (see `npm run plan -- --catalog`)", 40).optional(),
        family: pattern(/^[a-z0-9-]+$/, "an EC2 instance family such as g6e", "name a GPU family, or set instanceType instead", 20).optional(),
        minSize: wholeNumber(0, "set the fewest nodes to keep (0 lets the group scale to zero)"),
        maxSize: wholeNumber(1, "set the most nodes the group may grow to"),
        capacityType: oneOf(enumValues(CapacityType), "use ON_DEMAND, or SPOT for interruptible capacity").optional(),
        diskSizeGiB: wholeNumber(ranges.diskSizeGiB.min, "give the root volume size in GiB (images and model cache need room)", ranges.diskSizeGiB.max).optional(),
        amiType: oneOf(enumValues(AmiType), "use an NVIDIA AMI type for GPU groups, AL2023_x86_64_STANDARD for CPU groups").optional(),
        modelCache: modelCacheSchema.optional(),
    },
    "node group settings",
);

const architectureSchema = object(
    {
        paramsBillions: z.number({ error: leafMessage("a positive number of billions of parameters", "e.g. 8 for an 8B model") }).positive().optional(),
        layers: wholeNumber(1, "give the model's num_hidden_layers from its config.json").optional(),
        kvHeads: wholeNumber(1, "give the model's num_key_value_heads from its config.json").optional(),
        attentionHeads: wholeNumber(1, "give the model's num_attention_heads from its config.json").optional(),
        intermediateSize: wholeNumber(1, "give the model's intermediate_size from its config.json").optional(),
        moeIntermediateSize: wholeNumber(1, "give the model's moe_intermediate_size (one expert's) from its config.json").optional(),
        headDim: wholeNumber(1, "give the model's head_dim (hidden_size ÷ num_attention_heads)").optional(),
        maxContext: wholeNumber(1, "give the model's max_position_embeddings").optional(),
    },
    "model facts",
);

const autoscaleSchema = object(
    {
        min: wholeNumber(0, "set the fewest instances (0 lets the service scale to zero when idle)"),
        max: wholeNumber(ranges.autoscaleMax.min, "set the most instances the service may scale to", ranges.autoscaleMax.max),
        metric: oneOf(enumValues(AutoscaleMetric), "pick the vLLM signal to scale on: queue (waiting requests), kvCache (KV-cache usage) or ttft (time to first token)").optional(),
        target: z
            .number({ error: leafMessage("a positive number", "set the value one instance should carry, e.g. 5 waiting requests, 0.8 KV-cache usage or 2 s TTFT") })
            .positive()
            .optional(),
        scaleDownDelaySeconds: wholeNumber(ranges.scaleDownDelaySeconds.min, "set the seconds of low load before instances are removed", ranges.scaleDownDelaySeconds.max).optional(),
    },
    "autoscale settings",
);

export const serviceSchema = object(
    {
        name: pattern(
            rfc1035Label,
            `an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ ${maxServiceNameLength} characters`,
            "rename the service, e.g. llama-8b",
            maxServiceNameLength,
        ),
        displayName: text("a non-empty display name", "give the service a human-readable name, or leave it out to use its name").optional(),
        model: text("a model source such as Qwen/Qwen3-8B", "name the model by its Hugging Face id, an s3://bucket/prefix URI or a pvc://claim/path").optional(),
        revision: pattern(huggingFaceRevision, "a Hugging Face commit hash (40 hex characters)", "copy the commit from the model page's \"Files and versions\" history", 40).optional(),
        base: pattern(rfc1035Label, "the name of the service whose pods run this adapter", "name one of services[].name").optional(),
        adapter: text("a LoRA adapter source such as acme/qwen3-8b-support-lora", "name the adapter by its Hugging Face id, an s3://bucket/prefix URI or a pvc://claim/path").optional(),
        rank: wholeNumber(1, "give the adapter's LoRA rank: r in its adapter_config.json", loraRankChoices[loraRankChoices.length - 1]).optional(),
        maxLoraRank: z
            .number({ error: leafMessage(`one of ${loraRankChoices.join(", ")}`, "use one of vLLM's --max-lora-rank values") })
            .refine((v) => (loraRankChoices as readonly number[]).includes(v))
            .optional(),
        modelCache: modelCacheSchema.optional(),
        // Optional here: either instances or autoscale (neither for an adapter), checked in parse.ts.
        instances: wholeNumber(0, "set how many instances to run (0 stops the service)").optional(),
        autoscale: autoscaleSchema.optional(),
        gpus: wholeNumber(ranges.gpus.min, "set the GPUs per instance (vLLM's tensor-parallel size), or leave it out to let the planner choose", ranges.gpus.max).optional(),
        nodeGroup: pattern(rfc1123Label, "the name of a node group", "name one of nodeGroups[].name").optional(),
        task: oneOf(enumValues(ServiceTask), "pick what the model serves").optional(),
        maxModelLen: wholeNumber(1, "set the context length in tokens, or leave it out for the model's own").optional(),
        image: text("a container image reference", "give an image with a tag or digest, e.g. vllm/vllm-openai:v0.11.0").optional(),
        engineArgs: list(text("a vLLM argument", "write each argument as its own list item, e.g. --enable-prefix-caching"), "vLLM arguments").optional(),
        env: z
            .record(
                z.string().regex(envName, { error: leafMessage("an environment variable name", "use letters, digits and '_', not starting with a digit") }),
                z.string({ error: leafMessage("a string value", "quote the value in YAML") }),
                { error: leafMessage("a mapping of environment variables", "write NAME: value pairs") },
            )
            .optional(),
        dtype: oneOf(enumValues(WeightsDtype), "pick the weights dtype, or leave it out for auto").optional(),
        quantization: oneOf(enumValues(Quantization), "pick the quantization the checkpoint uses, or leave it out").optional(),
        gpuMemoryUtilization: fraction(ranges.gpuMemoryUtilization, "set vLLM's --gpu-memory-utilization, e.g. 0.9").optional(),
        architecture: architectureSchema.optional(),
    },
    "service settings",
);

/** A label map: Kubernetes label keys (optionally prefixed) to label values. */
function labels(fix: string) {
    return z.record(
        z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, { error: leafMessage("a label key", fix) }),
        z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, { error: leafMessage("a label value", fix) }),
        { error: leafMessage("a mapping of labels", fix) },
    );
}

export const apiKeySchema = object(
    {
        name: pattern(rfc1123Label, "a DNS-1123 label (lowercase letters, digits and '-', ≤ 63)", "rename the key, e.g. team-a"),
        services: list(pattern(/^(\*|[a-z]([-a-z0-9]*[a-z0-9])?)$/, 'a service name or "*"', "list service names, or [\"*\"] for all services"), "service names").min(1, {
            error: leafMessage("at least one service name", 'list the services this key may call, or ["*"] for all'),
        }),
        rotation: wholeNumber(0, "bump it (0, 1, 2, …) to issue a new key value").optional(),
        requestsPerMinute: wholeNumber(ranges.requestsPerMinute.min, "set the requests per minute this key may make, or leave it out for gateway.defaultRequestsPerMinute", ranges.requestsPerMinute.max).optional(),
        previousKeyValidUntil: pattern(isoUtcTime, "a UTC time such as 2026-12-01T12:00:00Z", "give the end of the grace period in UTC (…Z)", 30).optional(),
    },
    "API key settings",
);

export const gatewaySchema = object(
    {
        replicas: wholeNumber(ranges.gatewayReplicas.min, "run at least one Envoy pod (2 for no downtime on node loss)", ranges.gatewayReplicas.max).optional(),
        serviceType: oneOf(enumValues(GatewayServiceType), "pick how the gateway is exposed").optional(),
        hostname: pattern(dnsName, "a DNS host name such as api.example.com", "give the host clients will call", 253).optional(),
        tls: object({ secretName: pattern(rfc1123Label, "the name of a kubernetes.io/tls Secret", "create the Secret in the namespace and name it here", 253) }, "TLS settings").optional(),
        maxRequestBodyMiB: wholeNumber(ranges.maxRequestBodyMiB.min, "set the largest request body in MiB (images in vision requests need tens)", ranges.maxRequestBodyMiB.max).optional(),
        image: text("a container image reference", "give an Envoy image with a tag or digest").optional(),
        defaultRequestsPerMinute: wholeNumber(ranges.requestsPerMinute.min, "set the requests per minute of keys without their own limit", ranges.requestsPerMinute.max).optional(),
        scheme: oneOf(enumValues(GatewayLoadBalancerScheme), 'pick "internal" (reachable from the VPC) or "internet-facing"').optional(),
        certificateArn: pattern(acmCertificateArn, "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)", "request or import the certificate in ACM and give its ARN", 2048).optional(),
        loadBalancerSourceRanges: list(pattern(ipv4Cidr, "an IPv4 CIDR such as 203.0.113.0/24", "list the client networks in CIDR notation", 18), "CIDR blocks").optional(),
    },
    "gateway settings",
);

/** The config keys of the `model-services` namespace and their schemas. */
export const configSchema = z.strictObject({
    owner: pattern(rfc1123Label, "a DNS-1123 label such as u-8105f7322477", "use lowercase letters, digits and '-'", maxOwnerLength).optional(),
    namespace: pattern(rfc1123Label, "a Kubernetes namespace name", "use lowercase letters, digits and '-', ≤ 63").optional(),
    cluster: clusterSchema,
    nodeGroups: list(nodeGroupSchema, "node groups").min(1, {
        error: leafMessage("at least one node group", "add a node group under nodeGroups"),
    }),
    services: list(serviceSchema, "services").optional(),
    apiKeys: list(apiKeySchema, "API keys").optional(),
    gateway: gatewaySchema.optional(),
    keyStore: object(
        { awsSecretsManager: bool("true also keeps the keys in AWS Secrets Manager (EKS stacks only)").optional() },
        "key store settings",
    ).optional(),
    metricsScraper: object(
        {
            namespaceLabels: labels("the labels of the scraper's namespace, e.g. kubernetes.io/metadata.name: monitoring").optional(),
            podLabels: labels("the labels of the scraper's pods, e.g. app.kubernetes.io/name: prometheus"),
        },
        "metrics scraper settings",
    ).optional(),
    autoscaling: object(
        {
            keda: oneOf(enumValues(KedaMode), "install deploys the pinned KEDA release; existing uses the KEDA the cluster already runs").optional(),
            prometheusUrl: pattern(/^https?:\/\/[^\s]+$/, "an http(s) URL of a Prometheus server", "give the URL KEDA queries, e.g. http://prometheus-operated.monitoring.svc:9090", 500).optional(),
        },
        "autoscaling settings",
    ).optional(),
    monitoring: object(
        {
            prometheusOperator: bool("true creates PodMonitors for vLLM and the gateway; it needs the Prometheus Operator's CRDs in the cluster").optional(),
            grafanaDashboard: bool("true ships the Grafana dashboard as a ConfigMap for Grafana's sidecar").optional(),
        },
        "monitoring settings",
    ).optional(),
    modelAccess: object(
        {
            s3: object(
                {
                    mode: oneOf(enumValues(S3AccessMode), "pick pod-identity (EKS Pod Identity), node-role (the node group's role) or secret (AWS keys in a Secret of yours)"),
                    secretName: pattern(rfc1123Label, "the name of a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", "create the Secret in the namespace and name it here", 253).optional(),
                },
                "S3 access settings",
            ).optional(),
        },
        "model access settings",
    ).optional(),
    playground: object(
        {
            enabled: bool("true deploys the web playground (Open WebUI) with its own API key, reachable by port-forward").optional(),
            services: apiKeySchema.shape.services.optional(),
        },
        "playground settings",
    ).optional(),
    huggingFaceToken: text("a Hugging Face token", "set it as a secret: pulumi config set --secret huggingFaceToken hf_…").optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
