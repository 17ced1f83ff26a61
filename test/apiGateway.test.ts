import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, RegisteredResource, settle, valueOf } from "./helpers/mocks";

type Gateway = import("../components").ApiGateway;

let registered: RegisteredResource[];
let gw: typeof import("../components");
let envoy: typeof import("../components");
let versions: typeof import("../components");
const gateways: Record<string, Gateway> = {};

const keyValues = ["sk-fake-app-prod-7c1d", "sk-fake-research-91ab"];
const routes: import("../components").GatewayRoute[] = [
    { name: "test", accessName: "u-1/test", task: "chat", backendHost: "vllm-test.model-services.svc.cluster.local", backendPort: 8000, instances: 1 },
    { name: "vision", accessName: "u-1/vision", task: "vision", backendHost: "vllm-vision.model-services.svc.cluster.local", backendPort: 8000, instances: 2 },
];
const keys = () =>
    pulumi.secret([
        { name: "app-prod", value: keyValues[0], services: ["test"], requestsPerMinute: 60 },
        { name: "research", value: keyValues[1], services: ["*"] },
    ]);

beforeAll(async () => {
    registered = await installMocks();
    gw = await import("../components");
    envoy = await import("../components");
    versions = await import("../components");
    const base = { namespace: "model-services", routes, keys: keys(), labels: { "app.kubernetes.io/part-of": "model-services" } };
    gateways.plain = new gw.ApiGateway("gw", { ...base, replicas: 2, serviceType: "ClusterIP", maxRequestBodyMiB: 32 });
    gateways.tls = new gw.ApiGateway("gw-tls", { ...base, replicas: 3, serviceType: "LoadBalancer", maxRequestBodyMiB: 32, hostname: "api.example.com", tls: { secretName: "api-tls" } });
    gateways.lb = new gw.ApiGateway("gw-lb", { ...base, replicas: 1, serviceType: "LoadBalancer", maxRequestBodyMiB: 32 });
    // Public, with TLS ended at the NLB by an ACM certificate.
    gateways.acm = new gw.ApiGateway("gw-acm", {
        ...base,
        serviceType: "LoadBalancer",
        scheme: "internet-facing",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        loadBalancerSourceRanges: ["203.0.113.0/24"],
        hostname: "api.example.com",
    });
    // A host name without any TLS must not advertise https.
    gateways.plainHost = new gw.ApiGateway("gw-host", { ...base, serviceType: "LoadBalancer", hostname: "api.internal.example.com" });
    // Other routes and keys: only the route table and clusters may differ.
    gateways.other = new gw.ApiGateway("gw-other", {
        ...base,
        routes: [routes[0]],
        keys: pulumi.secret([{ name: "ci", value: "sk-fake-ci-0000", services: ["test"] }]),
        replicas: 2,
        serviceType: "ClusterIP",
        maxRequestBodyMiB: 32,
    });
    await settle();
});

const one = (type: string, name: string): RegisteredResource => {
    const found = ofType(registered, type).filter((r) => r.name === name);
    expect(found).toHaveLength(1);
    return found[0];
};
const secretOf = (name: string) => one("kubernetes:core/v1:Secret", `${name}-config`);
const deploymentOf = (name: string) => one("kubernetes:apps/v1:Deployment", `${name}-deployment`);
const serviceOf = (name: string) => one("kubernetes:core/v1:Service", `${name}-service`);
const podOf = (name: string) => deploymentOf(name).inputs.spec.template;
const containerOf = (name: string) => podOf(name).spec.containers[0];

describe("ApiGateway", () => {
    it("registers its children under the component's type token, with the child names of the contract", () => {
        expect(ofType(registered, "model-services:index:ApiGateway").map((r) => r.name)).toEqual(["gw", "gw-tls", "gw-lb", "gw-acm", "gw-host", "gw-other"]);
        const others = ["gw-tls", "gw-lb", "gw-acm", "gw-host", "gw-other"];
        const children = registered.filter((r) => r.name.startsWith("gw-") && !others.some((o) => r.name.startsWith(o)));
        expect(children.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "kubernetes:apps/v1:Deployment gw-deployment",
            "kubernetes:core/v1:Secret gw-clusters",
            "kubernetes:core/v1:Secret gw-config",
            "kubernetes:core/v1:Service gw-service",
            "kubernetes:policy/v1:PodDisruptionBudget gw-pdb",
        ]);
    });

    it("keeps the Envoy config in a Secret marked as a Pulumi secret, never a ConfigMap", () => {
        const secret = secretOf("gw");
        expect(secret.inputs.metadata.name).toBe(gw.gatewayConfigSecretName);
        expect(secret.secretPaths).toContain("stringData");
        expect(Object.keys(secret.inputs.stringData)).toEqual(["ecds-ratelimit.json", "envoy.json", "lds.json", "rds.json"]);
        expect(secret.inputs.stringData["rds.json"]).toContain(keyValues[0]);
        const clusters = one("kubernetes:core/v1:Secret", "gw-clusters");
        expect(clusters.inputs.metadata.name).toBe(gw.gatewayClustersSecretName);
        expect(clusters.secretPaths).toContain("stringData");
        expect(Object.keys(clusters.inputs.stringData)).toEqual(["cds.json"]);
        expect(ofType(registered, "kubernetes:core/v1:ConfigMap")).toHaveLength(0);
        expect(Object.keys(secretOf("gw-tls").inputs.stringData)).toContain("sds.json");
    });

    it("holds exactly the config renderEnvoyConfig renders for the routes and keys", async () => {
        const expected = envoy.renderEnvoyConfig({
            routes,
            keys: await valueOf(keys()),
            gateway: { replicas: 2, serviceType: "ClusterIP", maxRequestBodyMiB: 32 },
        });
        expect({ ...secretOf("gw").inputs.stringData, ...one("kubernetes:core/v1:Secret", "gw-clusters").inputs.stringData }).toEqual(expected);
    });

    it("puts no key value in any input outside the config Secret", () => {
        for (const r of registered.filter((x) => !(x.type === "kubernetes:core/v1:Secret" && x.name.endsWith("-config")))) {
            // (the clusters Secret holds no key: checked here with the rest)
            const text = JSON.stringify(r.inputs);
            for (const k of [...keyValues, "sk-fake-ci-0000"]) expect(text).not.toContain(k);
        }
    });

    it("exposes only the API port: plain HTTP on 80, or only HTTPS on 443 with TLS; never admin, readiness or metrics", () => {
        expect(serviceOf("gw").inputs.spec).toMatchObject({ type: "ClusterIP", ports: [{ name: "http", port: 80, targetPort: "api", protocol: "TCP" }] });
        expect(serviceOf("gw-tls").inputs.spec.ports).toEqual([{ name: "https", port: 443, targetPort: "api-tls", protocol: "TCP" }]);
        for (const name of ["gw", "gw-tls", "gw-lb"]) {
            const ports = serviceOf(name).inputs.spec.ports;
            expect(ports).toHaveLength(1);
            expect(ports.map((p: any) => p.targetPort)).not.toContain(envoy.gatewayPorts.admin);
            expect(containerOf(name).ports.map((p: any) => p.containerPort)).not.toContain(envoy.gatewayPorts.admin);
        }
        const lb = "service.beta.kubernetes.io/aws-load-balancer";
        expect(serviceOf("gw-lb").inputs.metadata.annotations).toEqual({
            [`${lb}-type`]: "external",
            [`${lb}-nlb-target-type`]: "ip",
            [`${lb}-scheme`]: "internal",
            [`${lb}-proxy-protocol`]: "*",
        });
        expect(serviceOf("gw-acm").inputs.metadata.annotations).toMatchObject({
            [`${lb}-scheme`]: "internet-facing",
            [`${lb}-ssl-cert`]: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            [`${lb}-ssl-ports`]: "443",
        });
        // TLS ends at the NLB: clients reach 443, the NLB forwards to Envoy's plain listener.
        expect(serviceOf("gw-acm").inputs.spec.ports).toEqual([{ name: "https", port: 443, targetPort: "api", protocol: "TCP" }]);
        expect(serviceOf("gw-acm").inputs.spec.loadBalancerSourceRanges).toEqual(["203.0.113.0/24"]);
        expect(serviceOf("gw").inputs.metadata.annotations).toBeUndefined();
        expect(serviceOf("gw").inputs.metadata.name).toBe("model-gateway");
    });

    it("probes the readiness listener: /ready for startup and readiness, /healthz for liveness", () => {
        const c = containerOf("gw");
        expect(c.ports).toContainEqual({ name: "readiness", containerPort: envoy.gatewayPorts.readiness });
        expect(c.readinessProbe.httpGet).toEqual({ path: "/ready", port: "readiness" });
        expect(c.startupProbe.httpGet).toEqual({ path: "/ready", port: "readiness" });
        expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "readiness" });
    });

    it("rolls the pods only when the bootstrap changes: the checksum annotation is the bootstrap's, whatever the routes and keys", () => {
        const expected = createHash("sha256").update(envoy.renderBootstrap()).digest("hex");
        for (const name of ["gw", "gw-tls", "gw-lb", "gw-other"]) {
            expect(podOf(name).metadata.annotations[gw.bootstrapChecksumAnnotation]).toBe(expected);
        }
        expect(secretOf("gw-other").inputs.stringData["rds.json"]).not.toBe(secretOf("gw").inputs.stringData["rds.json"]);
        expect(secretOf("gw-other").inputs.stringData["envoy.json"]).toBe(secretOf("gw").inputs.stringData["envoy.json"]);
        expect(secretOf("gw-other").inputs.stringData["lds.json"]).toBe(secretOf("gw").inputs.stringData["lds.json"]);
    });

    it("mounts the config Secret as a directory (no subPath) so kubelet's swap reaches Envoy's watch, and the TLS Secret when set", () => {
        const mounts = containerOf("gw").volumeMounts;
        expect(mounts).toContainEqual({ name: "config", mountPath: "/etc/envoy", readOnly: true });
        expect(mounts.some((m: any) => m.subPath)).toBe(false);
        expect(podOf("gw").spec.volumes[0]).toEqual({
            name: "config",
            projected: { defaultMode: 0o440, sources: [{ secret: { name: gw.gatewayConfigSecretName } }, { secret: { name: gw.gatewayClustersSecretName } }] },
        });
        expect(containerOf("gw-tls").volumeMounts).toContainEqual({ name: "tls", mountPath: "/etc/envoy-tls", readOnly: true });
        expect(podOf("gw-tls").spec.volumes).toContainEqual({ name: "tls", secret: { secretName: "api-tls", defaultMode: 0o440 } });
        expect(containerOf("gw").args.slice(0, 2)).toEqual(["--config-path", "/etc/envoy/envoy.json"]);
    });

    it("runs the pinned Envoy non-root, read-only, with requests and limits, on CPU nodes only", () => {
        const c = containerOf("gw");
        expect(c.image).toBe(versions.images.envoy);
        expect(versions.images.envoy).toMatch(/^envoyproxy\/envoy:v1\.(3[5-9]|[4-9]\d)\.\d+$/);
        expect(c.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1024Mi" } });
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        const pod = podOf("gw").spec;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101 });
        expect(pod.tolerations).toBeUndefined();
        expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
            { matchExpressions: [{ key: "model-services.io/node-group", operator: "DoesNotExist" }] },
        ]);
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(c.lifecycle.preStop.sleep.seconds).toBe(envoy.gatewayTimeouts.drainSeconds);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(envoy.gatewayTimeouts.drainSeconds);
    });

    it("runs gateway.replicas pods with fixed object names and a disruption budget over them", () => {
        expect(deploymentOf("gw").inputs.spec.replicas).toBe(2);
        expect(deploymentOf("gw-tls").inputs.spec.replicas).toBe(3);
        expect(deploymentOf("gw").inputs.metadata.name).toBe("model-gateway");
        const pdb = one("kubernetes:policy/v1:PodDisruptionBudget", "gw-pdb").inputs;
        expect(pdb.metadata.name).toBe("model-gateway");
        expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: deploymentOf("gw").inputs.spec.selector.matchLabels } });
    });

    it("labels every object with the recommended labels", () => {
        for (const r of [secretOf("gw"), deploymentOf("gw"), serviceOf("gw"), one("kubernetes:policy/v1:PodDisruptionBudget", "gw-pdb")]) {
            expect(r.inputs.metadata.labels).toEqual({
                "app.kubernetes.io/name": "envoy",
                "app.kubernetes.io/instance": "model-gateway",
                "app.kubernetes.io/component": "api-gateway",
                "app.kubernetes.io/part-of": "model-services",
                "app.kubernetes.io/managed-by": "pulumi",
            });
        }
    });

    it("exports the endpoint: in-cluster URL, the host name over HTTPS, or the load balancer's address", async () => {
        expect(await valueOf(gateways.plain.endpoint)).toBe("http://model-gateway.model-services.svc.cluster.local/v1");
        expect(await valueOf(gateways.tls.endpoint)).toBe("https://api.example.com/v1");
        expect(await valueOf(gateways.acm.endpoint)).toBe("https://api.example.com/v1");
        // No TLS anywhere: the host name is advertised as http, never a promise of https nothing keeps.
        expect(await valueOf(gateways.plainHost.endpoint)).toBe("http://api.internal.example.com/v1");
        // The mocks assign no load balancer: the in-cluster URL stands in until one exists.
        expect(await valueOf(gateways.lb.endpoint)).toBe("http://model-gateway.model-services.svc.cluster.local/v1");
        expect(await valueOf(gateways.plain.serviceName)).toBe("model-gateway");
    });
});
