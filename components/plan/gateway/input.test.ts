import { describe, expect, it } from "vitest";
import { GatewayConfig } from "../../config/types";
import { ServiceTask } from "../../config/rules";
import { allowedKeyNames, checkInput, EnvoyConfigInput, GatewayKey, GatewayRoute, modelsList } from "./input";
import { renderEnvoyConfig } from "./render";

const route = (name: string, extra: Partial<GatewayRoute> = {}): GatewayRoute => ({
    name,
    accessName: `u-1/${name}`,
    task: ServiceTask.Chat,
    backendHost: `vllm-${name}.model-services.svc.cluster.local`,
    backendPort: 8000,
    instances: 1,
    ...extra,
});
const key = (name: string, extra: Partial<GatewayKey> = {}): GatewayKey => ({ name, value: `sk-${name}`, services: ["*"], ...extra });
const gateway: GatewayConfig = { replicas: 1, serviceType: "ClusterIP", maxRequestBodyMiB: 32 };

/** The problems the renderer reports for an input, one per line; none when it renders. */
function problemsOf(input: Partial<EnvoyConfigInput>): string[] {
    const full: EnvoyConfigInput = { routes: [route("test")], keys: [key("app")], gateway, ...input };
    try {
        checkInput(full);
    } catch (e) {
        const [head, ...lines] = (e as Error).message.split("\n");
        expect(head).toBe("Cannot render the gateway's Envoy config:");
        return lines.map((l) => l.replace(/^ {2}- /, ""));
    }
    // What checkInput accepts, the renderer renders.
    expect(Object.keys(renderEnvoyConfig(full))).toContain("rds.json");
    return [];
}

describe("the renderer's own input checks: a direct caller cannot render what the config parser rejects", () => {
    it("accepts the plain input the other checks vary", () => {
        expect(problemsOf({})).toEqual([]);
    });

    it("refuses a key name used twice", () => {
        expect(problemsOf({ keys: [key("app"), key("app", { value: "sk-other" })] })).toEqual(['key name "app" appears more than once']);
    });

    it("refuses a previous value equal to another key's value, or to its own current value", () => {
        const problem = "two API keys (current or previous values) have the same value";
        expect(problemsOf({ keys: [key("a"), key("b", { previousValue: "sk-a" })] })).toEqual([problem]);
        expect(problemsOf({ keys: [key("a", { value: "sk-x", previousValue: "sk-x" })] })).toEqual([problem]);
        expect(problemsOf({ keys: [key("a", { previousValue: "sk-a-old" }), key("b", { previousValue: "sk-b-old" })] })).toEqual([]);
    });

    it("takes service names of at most 40 characters that are RFC 1035 labels", () => {
        const message = (name: string) => `service name "${name}" is not an RFC 1035 label of at most 40 characters`;
        const forty = `s${"x".repeat(39)}`;
        const fortyOne = `${forty}x`;
        expect(problemsOf({ routes: [route(forty)] })).toEqual([]);
        expect(problemsOf({ routes: [route(fortyOne)] })).toEqual([message(fortyOne)]);
        expect(problemsOf({ routes: [route("Test")] })).toEqual([message("Test")]);
        expect(problemsOf({ routes: [route("1test")] })).toEqual([message("1test")]);
    });

    it("refuses an access name with whitespace", () => {
        expect(problemsOf({ routes: [route("test", { accessName: "u-1/my model" })] })).toEqual(["access name \"u-1/my model\" is empty or has whitespace or '%'"]);
    });

    it("takes backend ports from 1 to 65535, whole numbers only", () => {
        const message = (port: number) => `service test: backendPort must be a port number, got ${port}`;
        expect(problemsOf({ routes: [route("test", { backendPort: 1 })] })).toEqual([]);
        expect(problemsOf({ routes: [route("test", { backendPort: 65535 })] })).toEqual([]);
        expect(problemsOf({ routes: [route("test", { backendPort: 0 })] })).toEqual([message(0)]);
        expect(problemsOf({ routes: [route("test", { backendPort: 65536 })] })).toEqual([message(65536)]);
        expect(problemsOf({ routes: [route("test", { backendPort: 8000.5 })] })).toEqual([message(8000.5)]);
    });

    it("takes a scale-up estimate of 1 s or more", () => {
        expect(problemsOf({ routes: [route("test", { instances: 0, scaleUpSeconds: 1 })] })).toEqual([]);
        expect(problemsOf({ routes: [route("test", { instances: 0, scaleUpSeconds: 0 })] })).toEqual(["service test: scaleUpSeconds must be a whole number ≥ 1, got 0"]);
    });

    it("refuses an empty backend host and an unknown task", () => {
        expect(problemsOf({ routes: [route("test", { backendHost: "" })] })).toEqual(["service test: backendHost is empty"]);
        expect(problemsOf({ routes: [route("test", { task: "speech" as ServiceTask })] })).toEqual(['service test: unknown task "speech"']);
    });

    it("takes key names that are RFC 1123 labels", () => {
        expect(problemsOf({ keys: [key("1app")] })).toEqual([]);
        expect(problemsOf({ keys: [key("App_1")] })).toEqual(['key name "App_1" is not an RFC 1123 label']);
    });

    it("refuses a key value or previous value that is empty or has whitespace", () => {
        expect(problemsOf({ keys: [key("app", { value: "" })] })).toEqual(["key app: the value is empty or has whitespace"]);
        expect(problemsOf({ keys: [key("app", { value: "sk-app 1" })] })).toEqual(["key app: the value is empty or has whitespace"]);
        expect(problemsOf({ keys: [key("app", { previousValue: "" })] })).toEqual(["key app: the previous value is empty or has whitespace"]);
        expect(problemsOf({ keys: [key("app", { previousValue: "sk-old\t1" })] })).toEqual(["key app: the previous value is empty or has whitespace"]);
    });

    it("takes a request body limit from 1 to 1024 MiB", () => {
        const message = (mib: number) => `gateway.maxRequestBodyMiB must be a whole number from 1 to 1024, got ${mib}`;
        expect(problemsOf({ gateway: { ...gateway, maxRequestBodyMiB: 1 } })).toEqual([]);
        expect(problemsOf({ gateway: { ...gateway, maxRequestBodyMiB: 1024 } })).toEqual([]);
        expect(problemsOf({ gateway: { ...gateway, maxRequestBodyMiB: 1025 } })).toEqual([message(1025)]);
    });
});

describe("allowedKeyNames", () => {
    it("names the keys that may call a service, all-services keys included, sorted", () => {
        const keys = [key("zeta", { services: ["test"] }), key("other", { services: ["vision"] }), key("beta"), key("alpha", { services: ["vision", "test"] })];
        expect(allowedKeyNames(keys, "test")).toEqual(["alpha", "beta", "zeta"]);
    });
});

describe("the GET /v1/models answer", () => {
    it("lists the access names sorted, whatever the order of the services, and leaves the caller's list as it was", () => {
        const routes = [route("a", { accessName: "u-1/zeta" }), route("b", { accessName: "team/alpha" }), route("c", { accessName: "u-1/mid" })];
        expect(modelsList(routes).data.map((m) => m.id)).toEqual(["team/alpha", "u-1/mid", "u-1/zeta"]);
        expect(routes.map((r) => r.name)).toEqual(["a", "b", "c"]);
    });

    it("names the owner before the slash, or model-services for an access name without one", () => {
        expect(modelsList([route("a", { accessName: "team/chat" }), route("b", { accessName: "chat" })]).data).toEqual([
            { id: "chat", object: "model", created: 0, owned_by: "model-services" },
            { id: "team/chat", object: "model", created: 0, owned_by: "team" },
        ]);
    });
});
