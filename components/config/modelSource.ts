/**
 * Model sources: where a service's weights (or an adapter's) come from, read from one
 * string in config, written once here for the parser, the planner and the components.
 */
import { rfc1123Label } from "./rules";

export const ModelSourceKind = {
    /** A Hugging Face repo id, `owner/name`; pinned by `revision`. */
    HuggingFace: "huggingface",
    /** `s3://bucket/prefix`: vLLM streams it (Run:ai streamer) or the cache preloads it. */
    S3: "s3",
    /** `pvc://claim/path`: a directory on a PersistentVolumeClaim of the namespace, mounted read-only. */
    Volume: "volume",
    /** An absolute path the pod already has (a custom image, or a directory in a shared cache). */
    Path: "path",
} as const;
export type ModelSourceKind = (typeof ModelSourceKind)[keyof typeof ModelSourceKind];

/** A parsed model source. */
export interface ModelSource {
    kind: ModelSourceKind;
    /** As written in config. */
    uri: string;
    /** huggingface: `owner/name`. */
    repo?: string;
    /** s3: bucket and key prefix (no leading or trailing '/'). */
    bucket?: string;
    prefix?: string;
    /** volume: the claim and the path inside it (no leading '/'). */
    claim?: string;
    /** volume: path inside the claim; path: the absolute path. */
    path?: string;
}

const huggingFaceRepo = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;
const s3Uri = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
const pvcUri = /^pvc:\/\/([^/]+)\/(.+)$/;

/** A source, or why the string is none (with the fix). */
export function parseModelSource(uri: string): ModelSource | { problem: string; fix: string } {
    if (uri.startsWith("s3://")) {
        const m = s3Uri.exec(uri);
        const prefix = m?.[2].replace(/^\/+|\/+$/g, "");
        if (!m || !prefix) {
            return { problem: "is not an s3://bucket/prefix URI", fix: "name the bucket and the prefix the weights are under, e.g. s3://acme-models/qwen3-8b (read access is granted to that prefix only)" };
        }
        return { kind: ModelSourceKind.S3, uri, bucket: m[1], prefix };
    }
    if (/^(gs|az|https?):\/\//.test(uri)) {
        return { problem: "uses a storage scheme the platform cannot grant access to", fix: "copy the weights to S3 (s3://bucket/prefix) or a volume (pvc://claim/path)" };
    }
    if (uri.startsWith("pvc://")) {
        const m = pvcUri.exec(uri);
        const path = m?.[2].replace(/^\/+|\/+$/g, "");
        if (!m || !rfc1123Label.test(m[1]) || !path || path.split("/").includes("..")) {
            return { problem: "is not a pvc://claim/path URI", fix: "name a PersistentVolumeClaim of the namespace and the directory inside it, e.g. pvc://models/qwen3-8b" };
        }
        return { kind: ModelSourceKind.Volume, uri, claim: m[1], path };
    }
    if (uri.startsWith("/")) {
        if (uri.split("/").includes("..")) {
            return { problem: "has '..' in its path", fix: "give the directory's absolute path without '..'" };
        }
        return { kind: ModelSourceKind.Path, uri, path: uri };
    }
    if (!huggingFaceRepo.test(uri)) {
        return { problem: "is not a Hugging Face repo id, an s3:// URI, a pvc:// URI or an absolute path", fix: "write owner/name as on huggingface.co, e.g. Qwen/Qwen3-8B" };
    }
    return { kind: ModelSourceKind.HuggingFace, uri, repo: uri };
}

/** True when a parse result is a source (not a problem). */
export function isModelSource(value: ModelSource | { problem: string }): value is ModelSource {
    return "kind" in value;
}
