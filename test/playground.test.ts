import { beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../components/config/parse";
import { allServicesClientPrefix, httpFilterNames } from "../components/plan/gateway/contract";
import { playgroundGatewayUrl } from "../components/resources/playground";
import { localPort, playgroundOf } from "../cli/commands/playground";
import { portNumber } from "../cli/main";
import { packViolations, TestResource } from "../policies/lib/testing";
import { RegisteredResource } from "./helpers/mocks";
import { PlatformRun, runStack, stackConfig } from "./helpers/platform";

// index.ts builds the real PolicyPack, which would start the analyzer's gRPC server.
vi.mock("@pulumi/policy", async (importOriginal) => ({
    ...(await importOriginal<typeof import("@pulumi/policy")>()),
    PolicyPack: class {},
}));

/** The shipped local stack with the playground on, its key limited to one service. */
const withPlayground = (playground: Record<string, unknown> = { enabled: true, services: ["test"] }): Record<string, any> => ({ ...stackConfig("local"), playground });

function configProblems(raw: Record<string, unknown>): string[] {
    try {
        parseConfig(raw, { stack: "local" });
        return [];
    } catch (e) {
        return (e as { issues: { message: string }[] }).issues.map((i) => i.message);
    }
}

describe("playground config", () => {
    it("is off by default, its key scoped to every service", () => {
        expect(parseConfig(stackConfig("local"), { stack: "local" }).playground).toEqual({ enabled: false, services: ["*"] });
        expect(parseConfig(withPlayground({ enabled: true }), { stack: "local" }).playground).toEqual({ enabled: true, services: ["*"] });
    });

    it("checks the key's services as apiKeys[].services are checked", () => {
        expect(configProblems(withPlayground({ enabled: true, services: ["tset", "vision", "vision"] }))).toEqual([
            'playground.services[0]: names no service, got "tset". Did you mean "test"?',
            'playground.services[2]: duplicates playground.services[1], got "vision". Give each service of this key a unique name.',
        ]);
        expect(configProblems(withPlayground({ enabled: true, services: ["*", "test"] }))).toEqual([
            'playground.services: "*" already means every service, got ["*","test"]. Write ["*"] alone, or list the services.',
        ]);
    });

    it("refuses a user key named like the playground's own key, only while the playground is on", () => {
        const raw = withPlayground({ enabled: true });
        raw.apiKeys = [...raw.apiKeys, { name: "playground", services: ["*"] }];
        expect(configProblems(raw)).toEqual([
            'apiKeys[2].name: is the name of the playground\'s own key (playground.enabled is true), so the two would share one key value and scope, got "playground". Rename the key, e.g. playground-user, or set playground.enabled to false.',
        ]);
        expect(configProblems({ ...raw, playground: { enabled: false } })).toEqual([]);
    });

    it("reports wrong types and unknown keys with the path and the fix", () => {
        expect(configProblems(withPlayground({ enabled: "yes" }))).toEqual([
            'playground.enabled: expected true or false, got "yes". True deploys the web playground (Open WebUI) with its own API key, reachable by port-forward.',
        ]);
        expect(configProblems(withPlayground({ enable: true }))).toEqual(['playground.enable: is not a known key. Did you mean "enabled"?']);
    });
});

describe("playgroundGatewayUrl", () => {
    it("calls the gateway where its Service answers in plain HTTP, or by the host name its certificate names", () => {
        expect(playgroundGatewayUrl({}, "llm")).toBe("http://model-gateway.llm.svc.cluster.local/v1");
        expect(playgroundGatewayUrl({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" }, "llm")).toBe("http://model-gateway.llm.svc.cluster.local:443/v1");
        expect(playgroundGatewayUrl({ tls: { secretName: "api-tls" }, hostname: "api.example.com" }, "llm")).toBe("https://api.example.com/v1");
    });
});

describe("the playground on the shipped local stack, under mocks", () => {
    let on: PlatformRun & { playground: any };
    let off: PlatformRun & { playground: any };
    const find = (run: PlatformRun, type: string, name: string): RegisteredResource => {
        const found = run.registered.filter((r) => r.type === type && r.name === name);
        expect(found, `${type} ${name}`).toHaveLength(1);
        return found[0];
    };
    const keySecret = (run: PlatformRun) => find(run, "kubernetes:core/v1:Secret", "model-services-keys-secret").inputs.stringData;
    const pod = () => find(on, "kubernetes:apps/v1:Deployment", "model-services-playground-deployment").inputs.spec.template.spec;

    beforeAll(async () => {
        on = (await runStack(withPlayground(), { stack: "local" })) as typeof on;
        off = (await runStack(stackConfig("local"), { stack: "local" })) as typeof off;
    }, 60_000);

    it("creates nothing when disabled", () => {
        expect(off.registered.filter((r) => r.type === "model-services:index:Playground" || /playground/.test(r.name))).toEqual([]);
        expect(Object.keys(keySecret(off)).sort()).toEqual(["app-prod", "research"]);
        expect(off.outputs.playground).toBeUndefined();
    });

    it("creates exactly the component, its Deployment, Service, session-key Secret and random value", () => {
        expect(
            on.registered
                .filter((r) => r.name.startsWith("model-services-playground"))
                .map((r) => `${r.type} ${r.name}`)
                .sort(),
        ).toEqual([
            "kubernetes:apps/v1:Deployment model-services-playground-deployment",
            "kubernetes:core/v1:Secret model-services-playground-secret",
            "kubernetes:core/v1:Service model-services-playground-service",
            "model-services:index:Playground model-services-playground",
            "random:index/randomPassword:RandomPassword model-services-playground-webui-secret",
        ]);
    });

    it("keeps its own key in the key Secret, a value of its own, not among the users' keys", () => {
        const keys = keySecret(on);
        expect(Object.keys(keys).sort()).toEqual(["app-prod", "playground", "research"]);
        expect(keys.playground).toMatch(/^sk-[A-Za-z0-9]{48}$/);
        expect(new Set(Object.values(keys)).size).toBe(3);
        expect(Object.keys(on.outputs.apiKeys).sort()).toEqual(["app-prod", "research"]);
    });

    it("gives Open WebUI its key and session key only by secretKeyRef; no literal holds a credential", () => {
        const env: any[] = pod().containers[0].env;
        expect(env.filter((e) => e.valueFrom)).toEqual([
            { name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "model-services-api-keys", key: "playground" } } },
            { name: "WEBUI_SECRET_KEY", valueFrom: { secretKeyRef: { name: "playground-webui", key: "webui-secret-key" } } },
        ]);
        const literals = Object.fromEntries(env.filter((e) => !e.valueFrom).map((e) => [e.name, e.value]));
        expect(literals).toEqual({
            OPENAI_API_BASE_URL: "http://model-gateway.model-services.svc.cluster.local/v1",
            ENABLE_OLLAMA_API: "False",
            ENABLE_OPENAI_API: "True",
            WEBUI_AUTH: "False",
            OFFLINE_MODE: "True",
            HF_HUB_OFFLINE: "1",
            RAG_EMBEDDING_MODEL_AUTO_UPDATE: "False",
            RAG_RERANKING_MODEL_AUTO_UPDATE: "False",
            WHISPER_MODEL_AUTO_UPDATE: "False",
            ENABLE_PERSISTENT_CONFIG: "False",
        });
        const keyValues = Object.values(keySecret(on)) as string[];
        const plainObjects = on.registered.filter((r) => r.type !== "kubernetes:core/v1:Secret" && !r.type.startsWith("random:"));
        for (const value of keyValues) {
            expect(plainObjects.filter((r) => JSON.stringify(r.inputs).includes(value)).map((r) => r.name)).toEqual([]);
        }
        expect(JSON.stringify(on.outputs.playground)).not.toMatch(/sk-/);
        expect(find(on, "kubernetes:core/v1:Secret", "model-services-playground-secret").inputs.stringData["webui-secret-key"]).toMatch(/^[A-Za-z0-9]{64}$/);
    });

    it("runs the pinned Open WebUI on the CPU groups, as the gateway, with probes, resources and its data on an emptyDir", () => {
        const spec = pod();
        const gateway = find(on, "kubernetes:apps/v1:Deployment", "model-services-gateway-deployment").inputs.spec.template.spec;
        expect(spec.affinity.nodeAffinity).toEqual(gateway.affinity.nodeAffinity);
        expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
            { matchExpressions: [{ key: "model-services.io/node-group", operator: "In", values: ["system"] }] },
        ]);
        expect(spec.tolerations).toBeUndefined();
        const [init, main] = [spec.initContainers[0], spec.containers[0]];
        expect([init.image, main.image]).toEqual(["ghcr.io/open-webui/open-webui:v0.11.0", "ghcr.io/open-webui/open-webui:v0.11.0"]);
        expect(main.readinessProbe.httpGet).toEqual({ path: "/health/db", port: "http" });
        expect(main.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
        expect(main.resources).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } });
        expect(spec.volumes).toEqual([{ name: "data", emptyDir: { sizeLimit: "4Gi" } }]);
        expect(main.volumeMounts).toEqual([{ name: "data", mountPath: "/app/backend/data" }]);
        expect(init.volumeMounts).toEqual([{ name: "data", mountPath: "/tmp/app-data" }]);
    });

    it("is reachable only inside the cluster: a ClusterIP Service on port 80", () => {
        const service = find(on, "kubernetes:core/v1:Service", "model-services-playground-service").inputs;
        expect(service.spec).toEqual({
            type: "ClusterIP",
            selector: { "app.kubernetes.io/name": "open-webui", "app.kubernetes.io/instance": "playground" },
            ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
        });
    });

    it("is scoped at the gateway exactly to playground.services: its key is admitted on the test route only", () => {
        const config = find(on, "kubernetes:core/v1:Secret", "model-services-gateway-config").inputs.stringData;
        const table: any[] = JSON.parse(config["rds.json"]).resources[0].virtual_hosts[0].routes;
        const admitted = (route: any): string[] =>
            (route.typed_per_filter_config?.[httpFilterNames.apiKeyScope]?.rbac.rules.policies?.["allowed-keys"]?.principals ?? []).map(
                (p: any) => p.header.string_match.exact ?? `${p.header.string_match.prefix}…`,
            );
        // The service routes (the others answer errors: a missing or unknown model).
        const serviceRoutes = table.filter((r) => r.match.dynamic_metadata?.[0].value.string_match.exact?.startsWith("u-8105f7322477/"));
        const byModel = Object.fromEntries(serviceRoutes.map((r) => [r.match.dynamic_metadata[0].value.string_match.exact, admitted(r)]));
        expect(byModel).toEqual({
            "u-8105f7322477/test": ["app-prod", "playground", `${allServicesClientPrefix}…`],
            "u-8105f7322477/vision": ["app-prod", `${allServicesClientPrefix}…`],
            "u-8105f7322477/qwen-32b": [`${allServicesClientPrefix}…`],
        });
        // Its value is among the credentials, named "playground" (not an all-services client).
        expect(config["rds.json"]).toContain(JSON.stringify({ key: keySecret(on).playground, client: "playground" }));
    });

    it("says in the stack outputs how to open it, with no secret", () => {
        expect(on.outputs.playground).toEqual({
            namespace: "model-services",
            service: "playground",
            port: 80,
            open: "npm run playground -- --stack local",
            portForward: "kubectl -n model-services port-forward service/playground 8080:80",
            url: "http://127.0.0.1:8080",
            keyName: "playground",
            services: ["test"],
        });
        expect(on.secretOutputs.playground).toBe(false);
    });

    it("passes the whole policy pack as the rest of the stack does", async () => {
        const { policies } = await import("../policies/index");
        const resources: TestResource[] = on.registered.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
        expect(await packViolations(policies, resources, { "k8s-vllm-model-pinned": "disabled" })).toEqual([]);
        // The same Deployment with its key as a literal: the pack sees it.
        const leaked = resources.map((r) =>
            r.name === "model-services-playground-deployment" ? { ...r, props: JSON.parse(JSON.stringify(r.props).replace(/\{"name":"OPENAI_API_KEY","valueFrom":[^}]+\}\}\}/, `{"name":"OPENAI_API_KEY","value":"sk-${"a".repeat(48)}"}`)) } : r,
        );
        expect((await packViolations(policies, leaked, { "k8s-vllm-model-pinned": "disabled" })).map((v) => v.message)).toEqual([
            'container "open-webui" of Deployment "playground" sets OPENAI_API_KEY to a literal value: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead.',
        ]);
    });
});

describe("model-services playground", () => {
    const output = { namespace: "llm", service: "playground", port: 80, url: "http://127.0.0.1:8080", keyName: "playground", services: ["*"] };

    it("says how to enable the playground when the stack has none", () => {
        expect(() => playgroundOf({ endpoint: "http://x/v1" }, "dev")).toThrow(
            'stack "dev" has no playground: set playground.enabled: true under model-services in Pulumi.dev.yaml, then pulumi up --stack dev',
        );
        expect(playgroundOf({ playground: output }, "dev")).toBe(output);
    });

    it("forwards from --port, else from the output's port", () => {
        expect(localPort(output, undefined)).toBe(8080);
        expect(localPort(output, 3000)).toBe(3000);
        expect(portNumber("3000")).toBe(3000);
        for (const bad of ["0", "65536", "80a", "-1"]) {
            expect(() => portNumber(bad)).toThrow(`--port: expected a port number from 1 to 65535, got "${bad}"`);
        }
    });
});
