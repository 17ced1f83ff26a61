import { beforeEach, describe, expect, it, vi } from "vitest";
import { changed, compliantStack, configMap, firstContainer, gatewayConfigSecret, vllmDeployment, vllmPod, vllmService } from "./lib/fixtures";
import { resourceViolations, TestResource } from "./lib/testing";

const apiKey = `sk-${"Zx9Qw8Er7Ty6".repeat(4)}`;
const hfToken = `hf_${"AbCdEfGhIjKlMnOpQrStUvWxYz".slice(0, 17).repeat(2)}`;
const vllm = vllmDeployment();

/** The module, imported afresh for each test: the credential shapes are module constants. */
let credentialIn: Module["credentialIn"];
let isCredentialName: Module["isCredentialName"];
let k8sSecretNoPlaintextKeys: Module["k8sSecretNoPlaintextKeys"];
type Module = typeof import("./k8s-secret-no-plaintext-keys");

beforeEach(async () => {
    vi.resetModules();
    ({ credentialIn, isCredentialName, k8sSecretNoPlaintextKeys } = await import("./k8s-secret-no-plaintext-keys"));
});

/** The vLLM pod spec as a bare Pod and in a CronJob, beside the Deployment. */
const asCronJob = (): TestResource => ({
    type: "kubernetes:batch/v1:CronJob",
    name: "vllm-cron",
    props: { metadata: vllm.props.metadata, spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: vllm.props.spec.template } } } },
});

describe("k8s-secret-no-plaintext-keys", () => {

    it("passes every compliant fixture, keys in a Secret's data included", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sSecretNoPlaintextKeys, r), r.name).toEqual([]);
        }
    });

    it("recognises the platform's keys and Hugging Face tokens, not look-alikes", () => {
        expect([apiKey, `key=${apiKey}`, `"${apiKey}"`].map(credentialIn)).toEqual(Array(3).fill("an API key (sk-…)"));
        expect(credentialIn(hfToken)).toBe("a Hugging Face token (hf_…)");
        expect(["task-1234567890abcdefghijklmn", "disk-1234567890abcdefghijklmn", "sk-short", "hf_short", "Qwen/Qwen3-32B"].map(credentialIn)).toEqual(Array(5).fill(undefined));
    });

    it("recognises credential names, not look-alikes", () => {
        const credentials = ["HF_TOKEN", "VLLM_API_KEY", "OPENAI_APIKEY", "db-password", "DB_PASSWD", "AWS_ACCESS_KEY_ID", "client_secret"];
        // API, ACCESS or PRIVATE then KEY, with or without a separator, at the start of the name too.
        const keys = ["API_KEY", "access-key", "AWS_ACCESSKEY", "TLS_PRIVATEKEY", "PRIVATE_KEY_PEM"];
        expect([...credentials, ...keys].filter((n) => !isCredentialName(n))).toEqual([]);
        expect(["TOKENIZERS_PARALLELISM", "MAX_TOKENS", "HF_HOME", "KEYCLOAK_URL", "SECRETARY", "OPENAIAPIKEY"].map(isCredentialName)).toEqual(Array(6).fill(false));
    });

    it.each([
        [
            "an API key in a ConfigMap",
            configMap(),
            (p: Record<string, any>) => (p.data["envoy.yaml"] = `credentials: [{key: ${apiKey}}]`),
            'ConfigMap "model-gateway-errors" holds an API key (sk-…) in data["envoy.yaml"], which is not secret: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume).',
        ],
        [
            "a Hugging Face token in a ConfigMap",
            configMap(),
            (p: Record<string, any>) => (p.data = { "hf.txt": hfToken }),
            'ConfigMap "model-gateway-errors" holds a Hugging Face token (hf_…) in data["hf.txt"], which is not secret: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume).',
        ],
        [
            "a credential-named env literal",
            vllm,
            (p: Record<string, any>) => (firstContainer(p).env[2] = { name: "HF_TOKEN", value: "not-shaped-like-a-token" }),
            'container "vllm" of Deployment "vllm-qwen-32b" sets HF_TOKEN to a literal value: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead.',
        ],
        [
            "a key-shaped env literal (reported once)",
            vllm,
            (p: Record<string, any>) => (firstContainer(p).env[2] = { name: "VLLM_API_KEY", value: apiKey }),
            'container "vllm" of Deployment "vllm-qwen-32b" sets VLLM_API_KEY to a literal value: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead.',
        ],
        [
            "a key under an innocent env name",
            vllm,
            (p: Record<string, any>) => (firstContainer(p).env[0].value = apiKey),
            'Deployment "vllm-qwen-32b" holds an API key (sk-…) in spec.template.spec.containers[0].env[0].value, which is not secret: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume).',
        ],
        [
            "a key in the command line",
            vllm,
            (p: Record<string, any>) => firstContainer(p).args.push("--api-key", apiKey),
            'Deployment "vllm-qwen-32b" holds an API key (sk-…) in spec.template.spec.containers[0].args[10], which is not secret: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume).',
        ],
        [
            "a key in an annotation",
            vllmService(),
            (p: Record<string, any>) => (p.metadata.annotations = { "example.com/test-key": apiKey }),
            'Service "vllm-qwen-32b" holds an API key (sk-…) in metadata.annotations["example.com/test-key"], which is not secret: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume).',
        ],
        [
            "a token in a pod template annotation",
            vllm,
            (p: Record<string, any>) => (p.spec.template.metadata.annotations = { note: hfToken }),
            'Deployment "vllm-qwen-32b" holds a Hugging Face token (hf_…) in spec.template.metadata.annotations.note, which is not secret: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume).',
        ],
        [
            "a key in a Secret's annotations",
            gatewayConfigSecret(),
            (p: Record<string, any>) => (p.metadata.annotations = { backup: apiKey }),
            'Secret "model-gateway-config" holds an API key (sk-…) in metadata.annotations.backup, which is not secret: move it into the Secret\'s data.',
        ],
    ])("rejects %s", async (_, fixture, change, message) => {
        expect(await resourceViolations(k8sSecretNoPlaintextKeys, changed(fixture, change))).toEqual([message]);
    });

    it("lets a SecretPatch hold keys in its data", async () => {
        const patch = changed(gatewayConfigSecret(), () => undefined);
        patch.type = "kubernetes:core/v1:SecretPatch";
        expect(await resourceViolations(k8sSecretNoPlaintextKeys, patch)).toEqual([]);
    });

    it("allows an empty credential-named env literal and one taken from a Secret", async () => {
        const blank = changed(vllm, (p) => (firstContainer(p).env[2] = { name: "HF_TOKEN", value: "" }));
        expect(await resourceViolations(k8sSecretNoPlaintextKeys, blank)).toEqual([]);
    });

    // A key-shaped value under a credential name is reported once, wherever the container sits.
    it.each<[string, () => TestResource, string]>([
        ["a bare Pod", vllmPod, 'container "vllm" of Pod "vllm-qwen-32b"'],
        ["a CronJob's pod template", asCronJob, 'container "vllm" of CronJob "vllm-qwen-32b"'],
    ])("reports a key-shaped env literal in %s once", async (_, fixture, container) => {
        const bad = changed(fixture(), (p) => {
            const spec = p.spec.containers ? p.spec : p.spec.jobTemplate.spec.template.spec;
            spec.containers[0].env[2] = { name: "VLLM_API_KEY", value: apiKey };
        });
        expect(await resourceViolations(k8sSecretNoPlaintextKeys, bad)).toEqual([
            `${container} sets VLLM_API_KEY to a literal value: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead.`,
        ]);
    });

    it("reports a key-shaped env literal of an init container once, the containers' alike", async () => {
        const bad = changed(vllm, (p) => {
            p.spec.template.spec.initContainers = [{ name: "fetch", image: "amazon/aws-cli:2.22.0", env: [{ name: "HF_TOKEN", value: hfToken }] }];
            firstContainer(p).env[2] = { name: "VLLM_API_KEY", value: apiKey };
        });
        expect(await resourceViolations(k8sSecretNoPlaintextKeys, bad)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" sets VLLM_API_KEY to a literal value: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead.',
            'init container "fetch" of Deployment "vllm-qwen-32b" sets HF_TOKEN to a literal value: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead.',
        ]);
    });
});
