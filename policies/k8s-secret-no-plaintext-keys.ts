import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, describe, describeContainer, kubernetesObject, typeTokens, workload } from "./lib/kubernetes";
import { isUnknown, list, plain, record, str, stringsWithin } from "./lib/values";

/** Values shaped like credentials this platform handles: its own (and OpenAI-style) API keys, and Hugging Face tokens. */
export const credentialShapes = [
    { what: "an API key (sk-…)", pattern: /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}/ },
    { what: "a Hugging Face token (hf_…)", pattern: /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}/ },
] as const;

/** What credential a string holds, if any. */
export function credentialIn(value: string): string | undefined {
    return credentialShapes.find((s) => s.pattern.test(value))?.what;
}

/** Environment variable names that carry credentials (`HF_TOKEN`, `VLLM_API_KEY`, `DB_PASSWORD`), not `TOKENIZERS_PARALLELISM` or `MAX_TOKENS`. */
export function isCredentialName(name: string): boolean {
    const upper = name.toUpperCase();
    const words = upper.split(/[^A-Z0-9]+/);
    return (
        words.some((w) => ["TOKEN", "SECRET", "PASSWORD", "PASSWD"].includes(w)) ||
        /(^|[^A-Z0-9])(API|ACCESS|PRIVATE)[_-]?KEY([^A-Z0-9]|$)/.test(upper)
    );
}

const fix = "keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume)";

/**
 * API keys and tokens never sit in plain Kubernetes objects: not in ConfigMaps, env
 * literals, arguments, labels or annotations, nor anywhere in a non-Secret object, where
 * anyone who may read Deployments or ConfigMaps (and every `kubectl describe`) sees them.
 * In a Secret only the data may hold them; its labels and annotations are plain.
 */
export const k8sSecretNoPlaintextKeys: ResourceValidationPolicy = {
    name: "k8s-secret-no-plaintext-keys",
    description: "API keys and tokens are never in ConfigMaps, env literals, arguments, labels or annotations: only in Secret data.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const props = plain(args.props);
        const object = kubernetesObject(args.type, props, args.name);
        if (!object) {
            return;
        }
        const reported = new Set<string>();

        const w = workload(args.type, props, args.name);
        if (w && !isUnknown(w.podSpec)) {
            const podSpecPath = args.type === typeTokens.pod ? "spec" : args.type === typeTokens.cronJob ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec";
            for (const c of containers(w.podSpec)) {
                const field = c.role === "container" ? "containers" : "initContainers";
                const index = list(w.podSpec[field]).indexOf(c.spec);
                list(c.spec.env).forEach((env, i) => {
                    const name = str(record(env)?.name);
                    const value = str(record(env)?.value);
                    if (name !== undefined && value !== undefined && value !== "" && isCredentialName(name)) {
                        reported.add(`${podSpecPath}.${field}[${index}].env[${i}].value`);
                        reportViolation(`${describeContainer(c, w)} sets ${name} to a literal value: ${fix} instead.`);
                    }
                });
            }
        }

        // In a Secret only the data is secret: scan its metadata alone.
        const isSecret = args.type === typeTokens.secret || args.type === typeTokens.secretPatch;
        for (const { path, value } of stringsWithin(isSecret ? { metadata: props.metadata } : props)) {
            const what = credentialIn(value);
            if (what !== undefined && !reported.has(path)) {
                reported.add(path);
                reportViolation(`${describe(object)} holds ${what} in ${path}, which is not secret: ${isSecret ? "move it into the Secret's data" : fix}.`);
            }
        }
    },
};
