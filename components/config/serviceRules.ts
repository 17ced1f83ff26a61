import { refusedEngineFlag, reservedEngineFlag } from "./engineFlags";
import { IssueList, quoted } from "./issues";
import { imageGenerationQuantizations, secretEnvPattern, ServiceTask, unsupportedQuantizations } from "./rules";

/**
 * The rules of a service's settings beyond their leaf types: engine flags the platform sets or
 * refuses, credentials in plain env, GGUF checkpoints, options that do not apply to the task.
 * Shared by the config parser (`services[i]`) and ModelService's args (`args`).
 */
export function checkServiceSettings(
    issues: IssueList,
    path: string,
    s: { model?: unknown; engineArgs?: readonly string[]; env?: Record<string, string>; task?: string; maxModelLen?: unknown; gpuMemoryUtilization?: unknown; quantization?: unknown },
): void {
    if (typeof s.model === "string" && /(^|[-_./])gguf($|[-_./])/i.test(s.model)) {
        issues.add(`${path}.model`, s.model, "looks like a GGUF checkpoint, which the pinned vLLM image (components/versions.ts) cannot load", unsupportedQuantizations.gguf);
    }
    for (const [j, arg] of (s.engineArgs ?? []).entries()) {
        const reserved = reservedEngineFlag(arg);
        if (reserved) {
            issues.add(`${path}.engineArgs[${j}]`, arg, `sets ${reserved.flag}, which the platform sets itself`, reserved.fix);
        }
        const refused = refusedEngineFlag(arg);
        if (refused) {
            // The argument may carry a key: never echo it.
            issues.add(`${path}.engineArgs[${j}]`, "[redacted]", `sets ${refused.flag}, which ${refused.problem}`, refused.fix);
        }
    }
    for (const key of Object.keys(s.env ?? {})) {
        if (secretEnvPattern.test(key)) {
            issues.add(`${path}.env.${key}`, "[redacted]", "looks like a credential in a plain environment variable", "credentials belong in Secrets: set the Hugging Face token with `pulumi config set --secret huggingFaceToken …`, or mount your own Secret");
        }
    }
    if (s.task === ServiceTask.ImageGeneration && s.maxModelLen !== undefined) {
        issues.add(`${path}.maxModelLen`, s.maxModelLen, "does not apply to image-generation services", "remove maxModelLen from this service");
    }
    if (s.task === ServiceTask.ImageGeneration && s.gpuMemoryUtilization !== undefined) {
        issues.add(`${path}.gpuMemoryUtilization`, s.gpuMemoryUtilization, "does not apply to image-generation services: vLLM-Omni's diffusion stage does not read it", "remove gpuMemoryUtilization from this service");
    }
    if (s.task === ServiceTask.ImageGeneration && s.quantization !== undefined && !(imageGenerationQuantizations as readonly unknown[]).includes(s.quantization)) {
        issues.add(`${path}.quantization`, s.quantization, "is not a quantization vLLM-Omni can apply to a diffusion pipeline", `use one of ${quoted(imageGenerationQuantizations)}, or leave it out`);
    }
}
