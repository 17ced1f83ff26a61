import { beforeEach, describe, expect, it } from "vitest";
import { PlatformRun, runStack, stackConfig } from "./helpers/platform";
import { downloadProgramLines, nodeUserDataLines } from "./helpers/expectedContracts";

/**
 * The platform's contract as the stack program deploys it: the literal values clients,
 * backends and operators rely on, read from what the shipped local stack deploys (the
 * gateway's config Secret, the model cache's download steps, the KEDA queries). Each run
 * re-imports the stack program, so the module constants behind them are evaluated here.
 */

/** The shipped local stack (chat and vision services, a scoped key and an all-services key) plus an embedding and an image-generation service. */
function everyTask(): Record<string, any> {
    const raw = stackConfig("local");
    raw.services = [
        ...raw.services,
        { name: "embed", model: "BAAI/bge-m3", task: "embedding", instances: 1, nodeGroup: "gpu-l4" },
        { name: "image", model: "Qwen/Qwen-Image", task: "image-generation", quantization: "fp8", instances: 1, nodeGroup: "gpu-l40s" },
    ];
    return raw;
}

/** The gateway's rendered Envoy files (the `model-gateway-config` Secret). */
function envoyFilesOf(run: PlatformRun): Record<string, any> {
    const secrets = run.registered.filter((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "model-gateway-config");
    expect(secrets).toHaveLength(1);
    return Object.fromEntries(Object.entries(secrets[0].inputs.stringData as Record<string, string>).map(([file, text]) => [file, JSON.parse(text)]));
}

const routeNamed = (rds: any, name: string) => rds.resources[0].virtual_hosts[0].routes.find((r: any) => r.name === name);
const hcmOf = (lds: any) => lds.resources[0].filter_chains[0].filters[0].typed_config;

describe("the gateway contract on the shipped local stack with a service of each task", () => {
    let files: Record<string, any>;
    beforeEach(async () => {
        files = envoyFilesOf(await runStack(everyTask(), { stack: "local" }));
    });

    it("routes each task's OpenAI endpoints, and only those, to its services", () => {
        const rds = files["rds.json"];
        const endpoints = (service: string) => routeNamed(rds, `service-${service}`).match.safe_regex.regex;
        expect(endpoints("test")).toBe("^/v1/(chat/completions|completions)$");
        expect(endpoints("vision")).toBe("^/v1/(chat/completions|completions)$");
        expect(endpoints("embed")).toBe("^/v1/(embeddings)$");
        expect(endpoints("image")).toBe("^/v1/(images/generations)$");
    });

    it("names the caller in x-model-services-key-name: forwarded by authentication, removed from client requests, checked by the scope, sent upstream", () => {
        const rds = files["rds.json"];
        const filters = hcmOf(files["lds.json"]).http_filters;
        expect(filters[0].typed_config.mutations.request_mutations[0]).toEqual({ remove: "x-model-services-key-name" });
        expect(filters.find((f: any) => f.name === "api-key-authn").typed_config.forwarding).toEqual({ header: "x-model-services-key-name", hide_credentials: true });
        expect(routeNamed(rds, "service-test").typed_per_filter_config["api-key-scope"].rbac.rules.policies["allowed-keys"].principals).toEqual([
            { header: { name: "x-model-services-key-name", string_match: { exact: "app-prod" } } },
            { header: { name: "x-model-services-key-name", string_match: { prefix: "*:" } } },
        ]);
        expect(rds.resources[0].request_headers_to_add).toEqual([
            { header: { key: "x-model-services-key-name", value: "%DYNAMIC_METADATA(model-services:key_name)%" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" },
        ]);
    });

    it("marks all-services keys with *: and writes the key name without it to model-services:key_name, which the access log and the 429 body show", () => {
        const rds = files["rds.json"];
        const hcm = hcmOf(files["lds.json"]);
        const clients = rds.resources[0].typed_per_filter_config["api-key-authn"].credentials.map((c: any) => c.client);
        expect(clients).toEqual(["app-prod", "*:research"]);
        expect(hcm.http_filters.find((f: any) => f.name === "key-name").typed_config.request_rules).toEqual([
            {
                header: "x-model-services-key-name",
                on_header_present: { metadata_namespace: "model-services", key: "key_name", regex_value_rewrite: { pattern: { regex: "^\\*:" }, substitution: "" } },
            },
        ]);
        expect(hcm.access_log[0].typed_config.log_format.json_format.key_name).toBe("%DYNAMIC_METADATA(model-services:key_name)%");
        const mappers = hcm.local_reply_config.mappers;
        const tooMany = mappers.find((m: any) => m.body_format_override.json_format.error.code === "rate_limit_exceeded");
        expect(tooMany.body_format_override.json_format.error.message).toBe(
            "Rate limit reached for the API key '%DYNAMIC_METADATA(model-services:key_name)%'. Retry after the number of seconds in the Retry-After header.",
        );
    });

    it("answers model_unavailable to the 503s Envoy gives when no backend could take the request, by their upstream flags", () => {
        const mappers = hcmOf(files["lds.json"]).local_reply_config.mappers;
        const unavailable = mappers.filter((m: any) => m.body_format_override.json_format.error.code === "model_unavailable");
        expect(unavailable).toHaveLength(1);
        expect(unavailable[0].filter.and_filter.filters[1]).toEqual({ response_flag_filter: { flags: ["UH", "UF", "UO", "URX", "UC", "UR", "NC"] } });
    });
    it("answers model_scaling_up to Envoy's no-instance 503 of a request marked x-model-services-scale-up-seconds, with Retry-After from that header, and strips the mark from clients", () => {
        const hcm = hcmOf(files["lds.json"]);
        const scaling = hcm.local_reply_config.mappers.filter((m: any) => m.body_format_override.json_format.error.code === "model_scaling_up");
        expect(scaling).toHaveLength(1);
        expect(scaling[0].filter.and_filter.filters.slice(1)).toEqual([
            { response_flag_filter: { flags: ["UH", "UF", "URX", "NC"] } },
            { header_filter: { header: { name: "x-model-services-scale-up-seconds", present_match: true } } },
        ]);
        expect(scaling[0].headers_to_add).toEqual([{ header: { key: "retry-after", value: "%REQ(x-model-services-scale-up-seconds)%" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }]);
        expect(JSON.stringify(hcm.http_filters)).toContain('{"remove":"x-model-services-scale-up-seconds"}');
    });

    it("deploys the bootstrap's admin cluster and heap monitor: 80 % of the 1024 MiB container limit, in bytes", () => {
        const bootstrap = files["envoy.json"];
        expect(bootstrap.static_resources.clusters.map((c: any) => [c.name, c.load_assignment.cluster_name])).toEqual([["envoy-admin", "envoy-admin"]]);
        const readiness = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
        expect(readiness.find((r: any) => r.name === "ready").route).toEqual({ cluster: "envoy-admin", timeout: "2s" });
        const overload = bootstrap.overload_manager;
        expect(overload.resource_monitors[0].name).toBe("envoy.resource_monitors.fixed_heap");
        expect(overload.resource_monitors[0].typed_config.max_heap_size_bytes).toBe("858783744");
        expect(overload.actions.map((a: any) => a.triggers[0].name)).toEqual(["envoy.resource_monitors.fixed_heap", "envoy.resource_monitors.fixed_heap", "envoy.resource_monitors.fixed_heap"]);
    });

    it("counts each limited key's requests in its own api_key bucket", () => {
        const limits = files["ecds-ratelimit.json"].resources[0].typed_config;
        expect(limits.rate_limits).toEqual([{ actions: [{ request_headers: { header_name: "x-model-services-key-name", descriptor_key: "api_key" } }] }]);
        expect(limits.descriptors.map((d: any) => d.entries)).toEqual([[{ key: "api_key", value: "app-prod" }], [{ key: "api_key", value: "*:research" }]]);
    });

    it("matches service routes on POST only, and labels the gateway's own JSON answers application/json", () => {
        const rds = files["rds.json"];
        expect(routeNamed(rds, "service-embed").match.headers).toEqual([{ name: ":method", string_match: { exact: "POST" } }]);
        const json = [{ header: { key: "content-type", value: "application/json" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }];
        expect(routeNamed(rds, "models").response_headers_to_add).toEqual(json);
        expect(routeNamed(rds, "unknown-model").response_headers_to_add).toEqual(json);
    });
});

describe("the gateway contract with TLS in Envoy", () => {
    it("names the certificate api-tls in sds.json and in the listener, whatever the Secret it comes from", async () => {
        const raw = stackConfig("local");
        raw.gateway = { ...raw.gateway, tls: { secretName: "gateway-cert" } };
        const files = envoyFilesOf(await runStack(raw, { stack: "local" }));
        expect(files["sds.json"].type_url).toBe("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");
        expect(files["sds.json"].resources[0]["@type"]).toBe("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");
        expect(files["sds.json"].resources[0].name).toBe("api-tls");
        const ctx = files["lds.json"].resources[0].filter_chains[0].transport_socket.typed_config.common_tls_context;
        expect(ctx.tls_certificate_sds_secret_configs.map((c: any) => c.name)).toEqual(["api-tls"]);
    });
});

/**
 * The shipped local stack with "test" autoscaled from zero on TTFT, and a service each on a
 * shared cache, a node-local cache and a pvc:// volume (gpu-l4 grown to hold them); KEDA is
 * the cluster's own (not installed: fewer resources per run).
 */
function cachedAndAutoscaled(): Record<string, any> {
    const raw = stackConfig("local");
    const { instances: _instances, ...test } = raw.services[0];
    const onL4 = { instances: 1, nodeGroup: "gpu-l4", maxModelLen: 8192 };
    raw.services = [
        { ...test, autoscale: { min: 0, max: 2, metric: "ttft" } },
        raw.services[1],
        { name: "shared-cache", model: "Qwen/Qwen3-8B", ...onL4, modelCache: { kind: "shared", storageClass: "efs-sc" } },
        { name: "local-cache", model: "Qwen/Qwen3-8B", ...onL4, modelCache: { kind: "node-local" } },
        { name: "from-volume", model: "pvc://weights/qwen3-8b", ...onL4 },
    ];
    raw.nodeGroups[0].maxSize = 5;
    raw.autoscaling = { keda: "existing", prometheusUrl: "http://prometheus-operated.monitoring.svc:9090" };
    return raw;
}

/** Qwen/Qwen3-8B, unpinned: its marker is the first 16 hex digits of sha256("Qwen/Qwen3-8B@"). */
const qwenItems = '[{"kind":"huggingface","repo":"Qwen/Qwen3-8B","key":"abc91c9c0b5fe9f5"}]';

function resource(run: PlatformRun, type: string, name: string): any {
    const found = run.registered.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).toHaveLength(1);
    return found[0].inputs;
}
const podOf = (run: PlatformRun, service: string) => resource(run, "kubernetes:apps/v1:Deployment", `model-services-${service}-deployment`).spec.template.spec;

describe("the model cache and autoscaling contract on the local stack with cached, volume and autoscaled services", () => {
    let run: PlatformRun;
    beforeEach(async () => {
        run = await runStack(cachedAndAutoscaled(), { stack: "local" });
    });

    it("downloads with python3 -c <the download program> <items>: in the shared cache's preload Job, under flock /models/.lock in a node-local cache's init container; shared-cache pods wait for /models/.ready/<key>", () => {
        const job = resource(run, "kubernetes:batch/v1:Job", "model-services-shared-cache-preload").spec.template.spec;
        const preload = job.containers[0].command;
        expect(preload).toHaveLength(4);
        expect(preload.slice(0, 2)).toEqual(["python3", "-c"]);
        expect(preload[2].split("\n")).toStrictEqual(downloadProgramLines);
        expect(preload[3]).toBe(qwenItems);
        expect(job.containers[0].volumeMounts).toEqual([{ name: "model-cache", mountPath: "/models" }]);

        const fetch = podOf(run, "local-cache").initContainers.map((c: any) => [c.name, c.command]);
        expect(fetch).toStrictEqual([["model-fetch", ["flock", "/models/.lock", "python3", "-c", downloadProgramLines.join("\n"), qwenItems]]]);

        const wait = podOf(run, "shared-cache").initContainers.map((c: any) => [c.name, c.command]);
        expect(wait).toStrictEqual([
            ["wait-for-model", ["sh", "-c", 'for m in /models/.ready/abc91c9c0b5fe9f5; do until [ -f "$m" ]; do echo "waiting for the preload Job: $m"; sleep 5; done; done']],
        ]);
    });

    it("hands every simulated Node to the KWOK controller by its annotation", () => {
        const nodes = run.registered.filter((r) => r.type === "kubernetes:core/v1:Node");
        expect(nodes.length).toBeGreaterThan(0);
        for (const node of nodes) {
            expect(node.inputs.metadata.annotations).toMatchObject({ "kwok.x-k8s.io/node": "fake" });
        }
    });

    it("fails before anything is created when no catalog instance type holds a model, saying what to do", async () => {
        const huge = cachedAndAutoscaled();
        huge.services.push({ name: "huge", model: "acme/huge", architecture: { paramsBillions: 1000 }, gpus: 1, instances: 1, nodeGroup: "gpu-l4" });
        await expect(runStack(huge, { stack: "local" })).rejects.toThrow("No g6.xlarge node is big enough: no catalog instance type holds it: use a quantized checkpoint (quantization: awq or fp8) or a smaller model.");
    });

    it("keeps an uncached service's Hugging Face cache at /root/.cache/huggingface on an emptyDir (HF_HOME)", () => {
        const vllm = podOf(run, "test").containers[0];
        expect(vllm.volumeMounts).toContainEqual({ name: "model-cache", mountPath: "/root/.cache/huggingface" });
        expect(vllm.env).toContainEqual({ name: "HF_HOME", value: "/root/.cache/huggingface" });
    });

    it("mounts a pvc:// source's claim read-only at /mnt/model-volumes/<claim> and has vLLM load /mnt/model-volumes/<claim>/<path>", () => {
        const pod = podOf(run, "from-volume");
        const vllm = pod.containers[0];
        expect(pod.volumes).toContainEqual({ name: "model-volume-0", persistentVolumeClaim: { claimName: "weights", readOnly: true } });
        expect(vllm.volumeMounts).toContainEqual({ name: "model-volume-0", mountPath: "/mnt/model-volumes/weights", readOnly: true });
        expect(vllm.args[0]).toBe("/mnt/model-volumes/weights/qwen3-8b");
    });

    it("asks Prometheus for rates over the last 2m: TTFT and the gateway's demand in the KEDA ScaledObject", () => {
        const so = resource(run, "kubernetes:keda.sh/v1alpha1:ScaledObject", "model-services-test-autoscaler-scaledobject");
        expect(so.spec.triggers.map((t: any) => [t.name, t.metadata.query])).toStrictEqual([
            ["load", '(histogram_quantile(0.9, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{namespace="model-services",model_name="u-8105f7322477/test"}[2m]))) > 0) or vector(0)'],
            [
                "demand",
                'sum(rate({__name__=~"envoy_cluster_upstream_rq_total|envoy_cluster_upstream_rq_pending_failure_eject",namespace="model-services",envoy_cluster_name="service-test"}[2m])) or vector(0)',
            ],
        ]);
    });
});

/** The shipped dev (EKS) stack with a node-local model cache on gpu-l4: its nodes' instance store must become the RAID0 array. */
function devWithNodeLocalCache(): Record<string, any> {
    const raw = stackConfig("dev");
    raw.nodeGroups[0].modelCache = { kind: "node-local", sizeGiB: 200 };
    return raw;
}

describe("the node bootstrap contract on the dev (EKS) stack with a node-local cache", () => {
    let run: PlatformRun;
    beforeEach(async () => {
        run = await runStack(devWithNodeLocalCache(), { stack: "dev" });
    });

    it("gives gpu-l4's launch template the user data asking nodeadm for RAID0, in one MIME part with the fixed boundary", () => {
        const template = resource(run, "aws:ec2/launchTemplate:LaunchTemplate", "model-services-gpu-l4-launch-template");
        expect(Buffer.from(template.userData, "base64").toString("utf8")).toBe(nodeUserDataLines("RAID0").join("\n"));
    });
});
