import { ResourceValidationPolicy } from "@pulumi/policy";
import { huggingFaceRevision } from "../components/config/rules";
import { commandWords, Container, containers, describeContainer, flagValue, isVllmContainer, workloadOfResource } from "./lib/kubernetes";
import { strings } from "./lib/values";

/** A Hugging Face repo id (`owner/name`), as opposed to a path or an object-store URI. */
const huggingFaceId = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The model a vLLM command line loads: the positional after `serve` (or first, under the image's own entrypoint), else `--model`. */
function servedModel(container: Container, words: string[]): string | undefined {
    const serve = words.indexOf("serve");
    const positional = serve >= 0 ? words[serve + 1] : strings(container.spec.command).length === 0 ? words[0] : undefined;
    return positional !== undefined && !positional.startsWith("-") ? positional : flagValue(words, "--model");
}

/**
 * The `{name, path}` of each `--lora-modules` value (JSON objects or `name=path`). As vLLM's
 * argument parser reads them: the last `--lora-modules` counts (its action sets the list, it
 * does not extend it); `--lora-modules=v` carries one value, `--lora-modules v …` every word up
 * to the next option.
 */
function loraModules(words: string[]): { name: string; path: string }[] {
    const flag = "--lora-modules";
    const at = words.map((w) => w === flag || w.startsWith(`${flag}=`)).lastIndexOf(true);
    if (at < 0) {
        return [];
    }
    const values: string[] = [];
    if (words[at] !== flag) {
        values.push(words[at].slice(flag.length + 1));
    } else {
        for (const w of words.slice(at + 1)) {
            if (w.startsWith("-")) {
                break;
            }
            values.push(w);
        }
    }
    return values.map((v) => {
        try {
            const parsed = JSON.parse(v);
            return { name: String(parsed.name), path: String(parsed.path) };
        } catch {
            const [name, path] = v.split(/=(.*)/s);
            return { name, path: path ?? "" };
        }
    });
}

/**
 * vLLM serves models and LoRA adapters pinned to a Hugging Face commit: an unpinned id
 * loads whatever the repo's main branch holds when a pod starts, so two pods of one service
 * can serve different weights, and a push to the repo changes a running service.
 */
export const k8sVllmModelPinned: ResourceValidationPolicy = {
    name: "k8s-vllm-model-pinned",
    description: "vLLM serves Hugging Face models pinned to a revision (commit), and LoRA adapters from pinned snapshots.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const w = workloadOfResource(args);
        if (!w) {
            return;
        }
        for (const c of containers(w.podSpec).filter(isVllmContainer)) {
            const words = commandWords(c);
            const model = servedModel(c, words);
            const revision = flagValue(words, "--revision");
            if (model !== undefined && huggingFaceId.test(model) && (revision === undefined || !huggingFaceRevision.test(revision))) {
                const unpinned = revision === undefined ? "without --revision" : `at --revision "${revision}", which is not a commit (a branch or tag can move)`;
                reportViolation(
                    `${describeContainer(c, w)} serves Hugging Face model "${model}" ${unpinned}: pin it to a commit (40 hex characters, the service's revision) so the weights never change under a running service.`,
                );
            }
            for (const m of loraModules(words).filter((m) => huggingFaceId.test(m.path))) {
                reportViolation(
                    `${describeContainer(c, w)} serves LoRA adapter "${m.name}" from Hugging Face id "${m.path}", which vLLM cannot pin: give the adapter service a revision and its base a node-local or shared model cache.`,
                );
            }
        }
    },
};
