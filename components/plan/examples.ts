import { ServiceTask } from "../config/rules";

/** Ready-to-paste calls of one service, like a hosted console's "API call examples". */
export interface ServiceExamples {
    curl: string;
    python: string;
    node: string;
}

/** Stands for the caller's key in every example; the real keys are only in `apiKeys` (secret). */
export const apiKeyPlaceholder = "$MODEL_SERVICES_API_KEY";

interface Call {
    path: string;
    sdkPath: string;
    body: Record<string, unknown>;
}

function callFor(task: ServiceTask, model: string): Call {
    switch (task) {
        case ServiceTask.Embedding:
            return { path: "/embeddings", sdkPath: "embeddings.create", body: { model, input: "The food was delicious." } };
        case ServiceTask.ImageGeneration:
            return { path: "/images/generations", sdkPath: "images.generate", body: { model, prompt: "a lighthouse at dawn, watercolor", size: "1024x1024" } };
        case ServiceTask.Vision:
            return {
                path: "/chat/completions",
                sdkPath: "chat.completions.create",
                body: {
                    model,
                    messages: [
                        {
                            role: "user",
                            content: [
                                { type: "text", text: "What is in this image?" },
                                { type: "image_url", image_url: { url: "https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png" } },
                            ],
                        },
                    ],
                },
            };
        default:
            return { path: "/chat/completions", sdkPath: "chat.completions.create", body: { model, messages: [{ role: "user", content: "Hello!" }] } };
    }
}

function pythonLiteral(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map((v) => pythonLiteral(v)).join(", ")}]`;
    }
    if (value !== null && typeof value === "object") {
        return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(", ")}}`;
    }
    return JSON.stringify(value);
}

/**
 * The curl, OpenAI Python and OpenAI Node calls of a service at `endpoint` (a base URL
 * ending in `/v1`). The key is read from the environment, never written out.
 */
export function serviceExamples(endpoint: string, accessName: string, task: ServiceTask): ServiceExamples {
    const call = callFor(task, accessName);
    const kwargs = Object.entries(call.body)
        .map(([k, v]) => `    ${k}=${pythonLiteral(v)},`)
        .join("\n");
    const nodeArgs = JSON.stringify(call.body, null, 2);
    const result =
        task === ServiceTask.Embedding
            ? { py: "print(len(result.data[0].embedding))", js: "console.log(result.data[0].embedding.length);" }
            : task === ServiceTask.ImageGeneration
              ? { py: "print(result.data[0].b64_json[:32])", js: "console.log(result.data[0].b64_json?.slice(0, 32));" }
              : { py: "print(result.choices[0].message.content)", js: "console.log(result.choices[0].message.content);" };
    return {
        curl: [
            `curl ${endpoint}${call.path} \\`,
            `  -H "Authorization: Bearer ${apiKeyPlaceholder}" \\`,
            `  -H "Content-Type: application/json" \\`,
            `  -d '${JSON.stringify(call.body)}'`,
        ].join("\n"),
        python: [
            "import os",
            "from openai import OpenAI",
            "",
            `client = OpenAI(base_url="${endpoint}", api_key=os.environ["MODEL_SERVICES_API_KEY"])`,
            `result = client.${call.sdkPath}(`,
            kwargs,
            ")",
            result.py,
        ].join("\n"),
        node: [
            'import OpenAI from "openai";',
            "",
            `const client = new OpenAI({ baseURL: "${endpoint}", apiKey: process.env.MODEL_SERVICES_API_KEY });`,
            `const result = await client.${call.sdkPath}(${nodeArgs});`,
            result.js,
        ].join("\n"),
    };
}
