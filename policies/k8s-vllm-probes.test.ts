import { beforeEach, describe, expect, it, vi } from "vitest";
import { k8sVllmProbes } from "./k8s-vllm-probes";
import { changed, compliantStack, firstContainer, gatewayDeployment, vllmDeployment } from "./lib/fixtures";
import { resourceViolations, unknownDuringPreview } from "./lib/testing";

const vllm = vllmDeployment();

describe("k8s-vllm-probes", () => {
    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sVllmProbes, r), r.name).toEqual([]);
        }
    });

    it.each([
        [
            "no startup probe",
            (c: Record<string, any>) => delete c.startupProbe,
            'container "vllm" of Deployment "vllm-qwen-32b" runs vLLM without startupProbe: add httpGet probes on /health (a startupProbe that allows at least 1800s for the model to load, then a readinessProbe and a livenessProbe).',
        ],
        [
            "no readiness probe",
            (c: Record<string, any>) => delete c.readinessProbe,
            'container "vllm" of Deployment "vllm-qwen-32b" runs vLLM without readinessProbe: add httpGet probes on /health (a startupProbe that allows at least 1800s for the model to load, then a readinessProbe and a livenessProbe).',
        ],
        [
            "no liveness probe",
            (c: Record<string, any>) => delete c.livenessProbe,
            'container "vllm" of Deployment "vllm-qwen-32b" runs vLLM without livenessProbe: add httpGet probes on /health (a startupProbe that allows at least 1800s for the model to load, then a readinessProbe and a livenessProbe).',
        ],
        [
            "a startup probe with Kubernetes' default budget",
            (c: Record<string, any>) => (c.startupProbe = { httpGet: { path: "/health", port: "http" } }),
            'container "vllm" of Deployment "vllm-qwen-32b" gives its startup probe 30s (initialDelaySeconds 0 + periodSeconds 10 × failureThreshold 3), less than the 1800s a cold model load may take: raise startupProbe.failureThreshold to at least 180.',
        ],
        [
            "a ten-minute startup budget",
            (c: Record<string, any>) => (c.startupProbe.failureThreshold = 60),
            'container "vllm" of Deployment "vllm-qwen-32b" gives its startup probe 600s (initialDelaySeconds 0 + periodSeconds 10 × failureThreshold 60), less than the 1800s a cold model load may take: raise startupProbe.failureThreshold to at least 180.',
        ],
    ])("rejects a vLLM container with %s", async (_, change, message) => {
        expect(await resourceViolations(k8sVllmProbes, changed(vllm, (p) => change(firstContainer(p))))).toEqual([message]);
    });

    it("lists every missing probe in one message", async () => {
        const bare = changed(vllm, (p) => {
            for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) delete firstContainer(p)[probe];
        });
        expect(await resourceViolations(k8sVllmProbes, bare)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" runs vLLM without startupProbe, readinessProbe, livenessProbe: add httpGet probes on /health (a startupProbe that allows at least 1800s for the model to load, then a readinessProbe and a livenessProbe).',
        ]);
    });

    it("counts the initial delay in the budget", async () => {
        const delayed = changed(vllm, (p) => Object.assign(firstContainer(p).startupProbe, { initialDelaySeconds: 1200, periodSeconds: 20, failureThreshold: 30 }));
        expect(await resourceViolations(k8sVllmProbes, delayed)).toEqual([]);
    });

    it("asks for a failure threshold that covers the budget left after the initial delay", async () => {
        const delayed = changed(vllm, (p) => Object.assign(firstContainer(p).startupProbe, { initialDelaySeconds: 600, periodSeconds: 10, failureThreshold: 60 }));
        expect(await resourceViolations(k8sVllmProbes, delayed)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" gives its startup probe 1200s (initialDelaySeconds 600 + periodSeconds 10 × failureThreshold 60), less than the 1800s a cold model load may take: raise startupProbe.failureThreshold to at least 120.',
        ]);
    });

    it("takes the minimum startup budget from the pack config", async () => {
        expect(await resourceViolations(k8sVllmProbes, vllm, { minStartupSeconds: 7200 })).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" gives its startup probe 3600s (initialDelaySeconds 0 + periodSeconds 10 × failureThreshold 360), less than the 7200s a cold model load may take: raise startupProbe.failureThreshold to at least 720.',
        ]);
    });

    it.each([
        ["its image", (c: Record<string, any>) => (c.image = "registry.example.com/vllm/vllm-openai:v0.26.0")],
        ["`vllm serve` in a shell command", (c: Record<string, any>) => Object.assign(c, { image: "example/custom:1", command: ["sh", "-c", "pip install x && vllm serve Qwen/Qwen3-8B"], args: [] })],
        ["its api_server module", (c: Record<string, any>) => Object.assign(c, { image: "example/custom:1", command: ["python3", "-m", "vllm.entrypoints.openai.api_server"] })],
    ])("recognises vLLM by %s", async (_, change) => {
        const bare = changed(vllm, (p) => {
            change(firstContainer(p));
            delete firstContainer(p).livenessProbe;
        });
        expect(await resourceViolations(k8sVllmProbes, bare)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" runs vLLM without livenessProbe: add httpGet probes on /health (a startupProbe that allows at least 1800s for the model to load, then a readinessProbe and a livenessProbe).',
        ]);
    });

    it("leaves other containers alone", async () => {
        expect(await resourceViolations(k8sVllmProbes, changed(gatewayDeployment(), (p) => delete firstContainer(p).readinessProbe))).toEqual([]);
    });

    it("waits for a probe that is unknown during preview", async () => {
        expect(await resourceViolations(k8sVllmProbes, changed(vllm, (p) => (firstContainer(p).startupProbe = unknownDuringPreview)))).toEqual([]);
    });

    // With its default in place of the unknown field, each of these startup budgets would fall short of 1800s.
    it.each(["initialDelaySeconds", "periodSeconds", "failureThreshold"])("waits for a startup probe whose %s is unknown during preview", async (field) => {
        const short = changed(vllm, (p) => Object.assign(firstContainer(p).startupProbe, { failureThreshold: 60, [field]: unknownDuringPreview }));
        expect(await resourceViolations(k8sVllmProbes, short)).toEqual([]);
    });
});

describe("k8s-vllm-probes as the pack declares it", () => {
    let policy: typeof k8sVllmProbes;

    // The declaration is a module constant: import it afresh so that each test sees the module as loaded now.
    beforeEach(async () => {
        vi.resetModules();
        policy = (await import("./k8s-vllm-probes")).k8sVllmProbes;
    });

    it("takes minStartupSeconds, a whole number of seconds from 0, 1800 by default", () => {
        expect(policy.configSchema).toEqual({
            properties: {
                minStartupSeconds: {
                    type: "integer",
                    minimum: 0,
                    default: 1800,
                    description: "Least time (initialDelaySeconds + periodSeconds × failureThreshold) the startup probe must allow for a cold model load.",
                },
            },
        });
    });
});
